# R reference values for colead's decision-influence models (Ni, Yan & Pounder 2018 style)
# and replicate-weight variance.
#
#   /work/venv/bin/python tests/reference/influence/make_data.py
#   Rscript tests/reference/influence/influence.R
#
# Reads principals.csv and replicates_*.csv (made by make_data.py) and writes influence.json
# next to this script: for each of the seven decision zones, the principal's influence
# regressed on the five other stakeholders' influence over the zone plus five controls,
# estimated eight ways:
#   ols            lm
#   cluster        lm + sandwich::vcovCL(type = "HC1", cluster = ~district_id),
#                  lmtest::coeftest / coefci (t on the lm's residual df)
#   linearized     survey::svyglm on svydesign(ids = ~1, weights = ~weight)
#   linearized_cl  survey::svyglm on svydesign(ids = ~district_id, weights = ~weight)
#   brr, brr_mse, fay, jk1, jk2
#                  survey::svyglm on svrepdesign(type = BRR / Fay (rho 0.5) / JK1 / JK2,
#                  combined.weights = TRUE; brr_mse with mse = TRUE)
# and, for the replicate designs, svymean of two items (mean and the share at "major"),
# degf, p.adjust of the BRR p-values over the 35 zone x stakeholder tests, and standardized
# coefficients computed by hand (b * sd_w(x) / sd_w(y) over the model's rows).
# Every number is stored with 15 significant digits next to the R call that produced it
# (each call string is run with eval(parse(text = call))).

suppressPackageStartupMessages({
  library(survey)
  library(sandwich)
  library(lmtest)
  library(jsonlite)
})

script_dir <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg)) dirname(normalizePath(sub("^--file=", "", arg[1]))) else getwd()
})
path <- function(name) file.path(script_dir, name)
run <- function(call) eval(parse(text = call), envir = globalenv())

versions <- list(
  r = R.version.string,
  survey = as.character(packageVersion("survey")),
  sandwich = as.character(packageVersion("sandwich")),
  lmtest = as.character(packageVersion("lmtest")),
  jsonlite = as.character(packageVersion("jsonlite")),
  platform = R.version$platform
)

principals <- read.csv(path("principals.csv"), stringsAsFactors = FALSE)
reps <- list()
for (name in c("brr", "fay", "jk1", "jk2")) {
  reps[[name]] <- read.csv(path(sprintf("replicates_%s.csv", name)))
}
rep_brr <- reps$brr; rep_fay <- reps$fay; rep_jk1 <- reps$jk1; rep_jk2 <- reps$jk2

zones <- c("standards", "curriculum", "pd_content", "evaluation", "hiring", "discipline", "budget")
others <- c("state_agency", "district_staff", "school_board", "teachers", "parents")
controls <- "years_as_principal + factor(school_level) + factor(locale) + enrolment + pct_frpl"

design_calls <- list(
  linearized = "svydesign(ids = ~1, weights = ~weight, data = principals)",
  linearized_cl = "svydesign(ids = ~district_id, weights = ~weight, data = principals)",
  brr = "svrepdesign(data = principals, repweights = rep_brr, weights = ~weight, type = \"BRR\", combined.weights = TRUE)",
  brr_mse = "svrepdesign(data = principals, repweights = rep_brr, weights = ~weight, type = \"BRR\", combined.weights = TRUE, mse = TRUE)",
  fay = "svrepdesign(data = principals, repweights = rep_fay, weights = ~weight, type = \"Fay\", rho = 0.5, combined.weights = TRUE)",
  jk1 = "svrepdesign(data = principals, repweights = rep_jk1, weights = ~weight, type = \"JK1\", scale = 39/40, combined.weights = TRUE)",
  jk2 = "svrepdesign(data = principals, repweights = rep_jk2, weights = ~weight, type = \"JK2\", combined.weights = TRUE)"
)
designs <- list()
for (d in names(design_calls)) {
  # JK2 always warns that it ignores scale and rscales; nothing else may warn.
  designs[[d]] <- if (d == "jk2") suppressWarnings(run(design_calls[[d]])) else run(design_calls[[d]])
  assign(paste0("des_", d), designs[[d]], envir = globalenv())
}

wsd <- function(v, w) sqrt(sum(w * (v - sum(w * v) / sum(w))^2) / sum(w))

fits <- list()
for (z in zones) {
  y <- sprintf("inf_principal_%s", z)
  xs <- sprintf("inf_%s_%s", others, z)
  formula_text <- sprintf("%s ~ %s + %s", y, paste(xs, collapse = " + "), controls)
  assign("f_zone", as.formula(formula_text), envir = globalenv())
  used <- complete.cases(principals[, c(y, xs, "years_as_principal", "school_level", "locale",
                                         "enrolment", "pct_frpl")])
  for (kind in c("ols", "cluster", names(design_calls))) {
    if (kind == "ols") {
      call <- sprintf("lm(%s, data = principals)", formula_text)
      fit <- run(call)
      tab <- summary(fit)$coefficients
      ci <- confint(fit, level = 0.95)
      df <- fit$df.residual
      ci_call <- "confint(fit, level = 0.95)"
      weights_used <- rep(1, sum(used))
    } else if (kind == "cluster") {
      call <- sprintf("lm(%s, data = principals)", formula_text)
      fit <- run(call)
      assign("fit", fit, envir = globalenv())
      vc <- run("vcovCL(fit, cluster = ~district_id, type = \"HC1\")")
      tab <- coeftest(fit, vcov. = vc)
      ci <- coefci(fit, vcov. = vc, level = 0.95)
      df <- fit$df.residual
      call <- paste0(call, "; vcovCL(fit, cluster = ~district_id, type = \"HC1\")")
      ci_call <- "coeftest(fit, vcov. = vc); coefci(fit, vcov. = vc, level = 0.95)"
      weights_used <- rep(1, sum(used))
    } else {
      call <- sprintf("svyglm(%s, design = des_%s)", formula_text, kind)
      fit <- run(call)
      tab <- summary(fit)$coefficients
      ci <- confint(fit, level = 0.95)
      df <- fit$df.residual
      ci_call <- "summary(fit)$coefficients; confint(fit, level = 0.95) (ddf = fit$df.residual)"
      weights_used <- principals$weight[used]
    }
    stopifnot(nobs(fit) == sum(used) || kind != "ols")
    terms <- lapply(rownames(tab), function(term) list(
      term = term,
      estimate = unname(tab[term, 1]),
      se = unname(tab[term, 2]),
      t = unname(tab[term, 3]),
      p_value = unname(tab[term, 4]),
      ci_low = unname(ci[term, 1]),
      ci_high = unname(ci[term, 2])
    ))
    ysd <- wsd(principals[[y]][used], weights_used)
    std <- lapply(seq_along(others), function(i) list(
      stakeholder = others[i],
      std_estimate = unname(coef(fit)[xs[i]]) * wsd(principals[[xs[i]]][used], weights_used) / ysd
    ))
    fits[[length(fits) + 1]] <- list(
      kind = kind, zone = z, call = call,
      design_call = if (kind %in% names(design_calls)) design_calls[[kind]] else NA,
      ci_call = ci_call, n = sum(used), df = df, terms = terms,
      std_estimate = std,
      std_estimate_note = "by hand: b * sd_w(x) / sd_w(y) over the model's rows, w = weight (1 for lm)"
    )
  }
}

# p.adjust over the BRR family: the 35 stakeholder coefficients, zones in order, stakeholders
# in order within a zone.
family <- do.call(rbind, lapply(fits[sapply(fits, function(f) f$kind == "brr")], function(f) {
  data.frame(zone = f$zone, term = sapply(f$terms, `[[`, "term"),
             p = sapply(f$terms, `[[`, "p_value"), stringsAsFactors = FALSE)
}))
family <- family[grepl("^inf_", family$term), ]
p_brr <- family$p
adjusted <- lapply(c("bonferroni", "holm", "hochberg", "BH", "BY"), function(m) {
  call <- sprintf("p.adjust(p_brr, method = \"%s\")", m)
  list(method = m, call = call, adjusted = run(call))
})

means <- list()
for (d in names(design_calls)) {
  for (expr in c("~inf_principal_hiring", "~I(inf_principal_hiring == 4)",
                 "~inf_teachers_curriculum")) {
    call <- sprintf("svymean(%s, des_%s, na.rm = TRUE)", expr, d)
    m <- run(call)
    ci <- confint(m)
    k <- length(coef(m))  # I(x == 4) gives FALSE and TRUE: keep TRUE
    means[[length(means) + 1]] <- list(
      design = d, expression = expr, call = call, confint_call = "confint(m)",
      mean = unname(coef(m)[k]), se = unname(SE(m)[k]),
      ci_low = unname(ci[k, 1]), ci_high = unname(ci[k, 2])
    )
  }
}
degf_values <- lapply(names(design_calls), function(d) list(
  design = d, call = sprintf("degf(des_%s)", d), degf = degf(designs[[d]])
))

out <- list(
  meta = list(
    what = "per-zone regressions of the principal's influence on the other stakeholders' (Ni, Yan & Pounder 2018), eight variance methods; svymean; degf; p.adjust",
    generated_by = "tests/reference/influence/influence.R",
    versions = versions,
    number_format = "15 significant digits (jsonlite digits = NA)",
    data = list(principals = "principals.csv", replicates = list(brr = "replicates_brr.csv",
      fay = "replicates_fay.csv", jk1 = "replicates_jk1.csv", jk2 = "replicates_jk2.csv")),
    formula = "inf_principal_<zone> ~ inf_<s>_<zone> for s in others + controls",
    others = others,
    controls = controls,
    zones = zones
  ),
  fits = fits,
  p_adjust = list(family = family[, c("zone", "term")], p = p_brr, methods = adjusted),
  svymean = means,
  degf = degf_values
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           path("influence.json"), useBytes = TRUE)
