# R reference values for colead's influence_relations: stratified Taylor linearisation and
# the G - 1 degrees of freedom of cluster-robust tests (issue 23).
#
#   Rscript tests/reference/influence/design.R
#
# Reads principals.csv (made by make_data.py) and writes design.json next to this script. The
# strata are made here from the district: districts D01-D04 form stratum A, D05-D12 B,
# D13-D20 C, D21-D30 D, D31-D40 E (districts nested in strata). The same zone models as
# influence.R, estimated four ways:
#   cluster_g1            lm + sandwich::vcovCL(type = "HC1", cluster = ~district_id),
#                         lmtest::coeftest(df = G - 1) / coefci(df = G - 1), G = districts
#                         among the model's rows (as Stata)
#   linearized_strata     svyglm on svydesign(ids = ~1, strata = ~stratum, weights = ~weight)
#   linearized_strata_cl  svyglm on svydesign(ids = ~district_id, strata = ~stratum,
#                         weights = ~weight)
#   linearized_cl         svyglm on svydesign(ids = ~district_id, weights = ~weight) (strata
#                         ignored, for the comparison)
# Every number is stored with 15 significant digits next to the R call that produced it.

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

principals <- read.csv(path("principals.csv"), stringsAsFactors = FALSE)
district <- as.integer(sub("^D", "", principals$district_id))
principals$stratum <- as.character(cut(district, c(0, 4, 12, 20, 30, 40),
                                       labels = c("A", "B", "C", "D", "E")))

zones <- c("standards", "curriculum", "pd_content", "evaluation", "hiring", "discipline", "budget")
others <- c("state_agency", "district_staff", "school_board", "teachers", "parents")
controls <- "years_as_principal + factor(school_level) + factor(locale) + enrolment + pct_frpl"

design_calls <- list(
  linearized_strata = "svydesign(ids = ~1, strata = ~stratum, weights = ~weight, data = principals)",
  linearized_strata_cl = "svydesign(ids = ~district_id, strata = ~stratum, weights = ~weight, data = principals)",
  linearized_cl = "svydesign(ids = ~district_id, weights = ~weight, data = principals)"
)
for (d in names(design_calls)) assign(paste0("des_", d), run(design_calls[[d]]), envir = globalenv())

fits <- list()
for (z in zones) {
  y <- sprintf("inf_principal_%s", z)
  xs <- sprintf("inf_%s_%s", others, z)
  formula_text <- sprintf("%s ~ %s + %s", y, paste(xs, collapse = " + "), controls)
  used <- complete.cases(principals[, c(y, xs, "years_as_principal", "school_level", "locale",
                                         "enrolment", "pct_frpl")])
  for (kind in c("cluster_g1", names(design_calls))) {
    if (kind == "cluster_g1") {
      call <- sprintf("lm(%s, data = principals)", formula_text)
      fit <- run(call)
      assign("fit", fit, envir = globalenv())
      G <- length(unique(principals$district_id[used]))
      assign("G", G, envir = globalenv())
      vc <- run("vcovCL(fit, cluster = ~district_id, type = \"HC1\")")
      assign("vc", vc, envir = globalenv())
      tab <- run("coeftest(fit, vcov. = vc, df = G - 1)")
      ci <- run("coefci(fit, vcov. = vc, df = G - 1, level = 0.95)")
      df <- G - 1
      call <- paste0(call, "; vcovCL(fit, cluster = ~district_id, type = \"HC1\")")
      ci_call <- "coeftest(fit, vcov. = vc, df = G - 1); coefci(fit, vcov. = vc, df = G - 1, level = 0.95)"
    } else {
      call <- sprintf("svyglm(%s, design = des_%s)", formula_text, kind)
      fit <- run(call)
      tab <- summary(fit)$coefficients
      ci <- confint(fit, level = 0.95)
      df <- fit$df.residual
      ci_call <- "summary(fit)$coefficients; confint(fit, level = 0.95) (ddf = fit$df.residual)"
    }
    terms <- lapply(rownames(tab), function(term) list(
      term = term, estimate = unname(tab[term, 1]), se = unname(tab[term, 2]),
      t = unname(tab[term, 3]), p_value = unname(tab[term, 4]),
      ci_low = unname(ci[term, 1]), ci_high = unname(ci[term, 2])
    ))
    fits[[length(fits) + 1]] <- list(
      kind = kind, zone = z, call = call,
      design_call = if (kind %in% names(design_calls)) design_calls[[kind]] else NA,
      ci_call = ci_call, n = sum(used), df = df, terms = terms
    )
  }
}

# How much the strata change the standard errors and df (the audit: 0.91-1.22x, df 25 -> 64)
ratios <- sapply(zones, function(z) {
  a <- fits[[which(sapply(fits, function(f) f$kind == "linearized_strata_cl" && f$zone == z))]]
  b <- fits[[which(sapply(fits, function(f) f$kind == "linearized_cl" && f$zone == z))]]
  sapply(seq_along(a$terms), function(i) a$terms[[i]]$se / b$terms[[i]]$se)
})

out <- list(
  meta = list(
    generated_by = "tests/reference/influence/design.R",
    versions = list(r = R.version.string, survey = as.character(packageVersion("survey")),
                    sandwich = as.character(packageVersion("sandwich")),
                    lmtest = as.character(packageVersion("lmtest")),
                    jsonlite = as.character(packageVersion("jsonlite"))),
    strata = "cut(district number, c(0, 4, 12, 20, 30, 40), labels = A-E)",
    strata_of_rows = as.list(table(principals$stratum)),
    se_ratio_strata_to_none = list(min = min(ratios), max = max(ratios)),
    degf = lapply(design_calls, function(call) degf(run(call)))
  ),
  fits = fits
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           path("design.json"), useBytes = TRUE)
