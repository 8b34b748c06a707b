# R reference values for colead's relate functions: correlate, regress, multilevel, path, mediate.
#
#   /work/venv/bin/python tests/reference/relate/make_data.py
#   Rscript tests/reference/relate/relate.R
#
# Reads teachers.csv and slopes.csv (made by make_data.py) and writes relate.json next to this
# script. Every value computed by an R function sits next to the exact call that produced it
# (`call`, `call_vcov`, `call_test`, ...; each string is run with eval(parse(text = call))).
# Values computed by hand from such results say so in `by_hand`.
# Numbers: 15 significant digits (jsonlite digits = NA); NA -> null.

suppressPackageStartupMessages({
  library(sandwich)
  library(lmtest)
  library(lme4)
  library(lavaan)
  library(psych)
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
  sandwich = as.character(packageVersion("sandwich")),
  lmtest = as.character(packageVersion("lmtest")),
  lme4 = as.character(packageVersion("lme4")),
  lavaan = as.character(packageVersion("lavaan")),
  psych = as.character(packageVersion("psych")),
  jsonlite = as.character(packageVersion("jsonlite")),
  platform = R.version$platform
)

teachers <- read.csv(path("teachers.csv"), stringsAsFactors = FALSE)
slopes <- read.csv(path("slopes.csv"), stringsAsFactors = FALSE)
VARS <- c("shared_leadership", "instructional_leadership", "trust_principal",
          "collective_responsibility", "focused_instruction")
MIN_N <- 5
pairs <- combn(VARS, 2)

# ---------------------------------------------------------------------------------------------
# Correlations
# ---------------------------------------------------------------------------------------------
fisher_ci <- function(r, n, level = 0.95) {
  z <- qnorm(1 - (1 - level) / 2)
  tanh(atanh(r) + c(-1, 1) * z / sqrt(n - 3))
}
t_p <- function(r, df) 2 * pt(-abs(r) * sqrt(df / (1 - r^2)), df)

individual <- lapply(seq_len(ncol(pairs)), function(j) {
  x <- pairs[1, j]; y <- pairs[2, j]
  call <- sprintf("cor.test(teachers$%s, teachers$%s, method = 'pearson', conf.level = 0.95)", x, y)
  ct <- run(call)
  list(x = x, y = y, call = call, n = unname(ct$parameter) + 2, r = unname(ct$estimate),
       ci_low = ct$conf.int[1], ci_high = ct$conf.int[2], p_value = ct$p.value)
})
p_ind <- sapply(individual, `[[`, "p_value")
adjusted <- list(
  holm = list(call = "p.adjust(p_individual, method = 'holm')", values = p.adjust(p_ind, "holm")),
  fdr_bh = list(call = "p.adjust(p_individual, method = 'BH')", values = p.adjust(p_ind, "BH")),
  bonferroni = list(call = "p.adjust(p_individual, method = 'bonferroni')",
                    values = p.adjust(p_ind, "bonferroni")),
  note = "p_individual: the p_value of the individual pearson pairs, in pair order"
)

spearman_call <- "psych::corr.test(teachers[, VARS], method = 'spearman', adjust = 'none', alpha = 0.05)"
sp <- run(spearman_call)
spearman <- lapply(seq_len(ncol(pairs)), function(j) {
  x <- pairs[1, j]; y <- pairs[2, j]
  call_test <- sprintf("cor.test(teachers$%s, teachers$%s, method = 'spearman', exact = FALSE)", x, y)
  ct <- suppressWarnings(run(call_test))
  ci_row <- sp$ci[which(abs(sp$ci$r - sp$r[x, y]) < 1e-14), ]
  stopifnot(nrow(ci_row) == 1)
  list(x = x, y = y, call = spearman_call, n = sp$n[x, y], r = sp$r[x, y], p_value = sp$p[x, y],
       ci_low = ci_row$lower, ci_high = ci_row$upper,
       call_test = call_test, r_cor_test = unname(ct$estimate), p_value_cor_test = ct$p.value)
})

# School means of scales, NA for a school with fewer than MIN_N scores on the scale; n_rows =
# the school's rows (the weights of the weighted correlation).
school_means <- function(d, vars, min_n = MIN_N) {
  g <- factor(d$school_id)
  out <- data.frame(school_id = levels(g), n_rows = as.vector(table(g)), stringsAsFactors = FALSE)
  for (v in vars) {
    n <- as.vector(tapply(!is.na(d[[v]]), g, sum))
    m <- as.vector(tapply(d[[v]], g, mean, na.rm = TRUE))
    m[n < min_n] <- NA
    out[[v]] <- m
  }
  out
}
means_call <- "school_means(teachers, VARS, min_n = 5)"
schools <- run(means_call)

school <- lapply(seq_len(ncol(pairs)), function(j) {
  x <- pairs[1, j]; y <- pairs[2, j]
  call <- sprintf("cor.test(schools$%s, schools$%s, method = 'pearson')", x, y)
  ct <- run(call)
  list(x = x, y = y, call = call, n = unname(ct$parameter) + 2, r = unname(ct$estimate),
       ci_low = ct$conf.int[1], ci_high = ct$conf.int[2], p_value = ct$p.value)
})
school_weighted <- lapply(seq_len(ncol(pairs)), function(j) {
  x <- pairs[1, j]; y <- pairs[2, j]
  call <- sprintf(paste0("with(na.omit(schools[, c('%s', '%s', 'n_rows')]), ",
                         "cov.wt(cbind(%s, %s), wt = n_rows / sum(n_rows), cor = TRUE)$cor[1, 2])"),
                  x, y, x, y)
  r <- run(call)
  n <- nrow(na.omit(schools[, c(x, y)]))
  ci <- fisher_ci(r, n)
  list(x = x, y = y, call = call, n = n, r = r, ci_low = ci[1], ci_high = ci[2],
       p_value = t_p(r, n - 2),
       by_hand = "ci: tanh(atanh(r) -/+ qnorm(.975) / sqrt(n - 3)); p: t test of r on n - 2 df")
})

within <- lapply(seq_len(ncol(pairs)), function(j) {
  x <- pairs[1, j]; y <- pairs[2, j]
  call <- sprintf(paste0("with(na.omit(teachers[, c('school_id', '%s', '%s')]), ",
                         "cor(%s - ave(%s, school_id), %s - ave(%s, school_id)))"), x, y, x, x, y, y)
  r <- run(call)
  sub <- na.omit(teachers[, c("school_id", x, y)])
  call_test <- sprintf("summary(lm(%s ~ %s + factor(school_id), data = teachers))$coefficients['%s', ]",
                       y, x, x)
  tt <- run(call_test)
  n <- nrow(sub); g <- length(unique(sub$school_id)); df <- n - g - 1
  z <- qnorm(0.975)
  ci <- tanh(atanh(r) + c(-1, 1) * z / sqrt(df - 1))
  list(x = x, y = y, call = call, n = n, groups = g, df = df, r = r, ci_low = ci[1], ci_high = ci[2],
       call_test = call_test, t_value = unname(tt["t value"]), p_value = unname(tt["Pr(>|t|)"]),
       by_hand = "df = n - groups - 1; ci: tanh(atanh(r) -/+ qnorm(.975) / sqrt(df - 1))")
})

psych_statsby_call <- "psych::statsBy(teachers[, c('school_id', VARS)], group = 'school_id', cors = FALSE)"
sb <- suppressWarnings(run(psych_statsby_call))
statsby <- list(call = psych_statsby_call,
                note = "rwg: pooled within-group correlations (deviations from group means), a cross-check",
                rwg = lapply(seq_len(ncol(pairs)), function(j)
                  list(x = pairs[1, j], y = pairs[2, j],
                       r = sb$rwg[paste0(pairs[1, j], ".wg"), paste0(pairs[2, j], ".wg")])))

correlate <- list(
  variables = VARS, min_n = MIN_N, school_means_call = means_call,
  school_means_rule = paste("school mean of a scale from the school's non-missing scores; NA when",
                            "fewer than min_n; pairs use schools with both means (pairwise)"),
  individual = individual, adjusted = adjusted, spearman = spearman, school = school,
  school_weighted = school_weighted, within = within, statsby = statsby
)

# ---------------------------------------------------------------------------------------------
# Regressions: lm + sandwich::vcovCL (HC1), t tests on G - 1 df
# ---------------------------------------------------------------------------------------------
REG_X <- c("years_experience", "trust_principal", "shared_leadership", "collective_responsibility",
           "shared_focus")
complete <- na.omit(teachers[, c("school_id", "weight", "focused_instruction", REG_X)])
G <- length(unique(complete$school_id))
f_full <- "focused_instruction ~ years_experience + trust_principal + shared_leadership + collective_responsibility + shared_focus"

coef_records <- function(tab, ci) {
  lapply(seq_len(nrow(tab)), function(i)
    list(term = rownames(tab)[i], estimate = unname(tab[i, 1]), se = unname(tab[i, 2]),
         statistic = unname(tab[i, 3]), p_value = unname(tab[i, 4]),
         ci_low = unname(ci[i, 1]), ci_high = unname(ci[i, 2])))
}
fit_info <- function(m) {
  s <- summary(m)
  list(n = nobs(m), r2 = s$r.squared, adj_r2 = s$adj.r.squared, sigma = s$sigma,
       f = unname(s$fstatistic[1]), f_df1 = unname(s$fstatistic[2]), f_df2 = unname(s$fstatistic[3]),
       loglik = as.numeric(logLik(m)), aic = AIC(m), bic = BIC(m))
}
regression <- function(name, call_fit, cluster = TRUE) {
  m <- run(call_fit)
  assign("m_current", m, envir = globalenv())
  out <- list(name = name, call = call_fit, fit = fit_info(m))
  if (cluster) {
    call_vcov <- "vcovCL(m_current, cluster = ~school_id, type = 'HC1')"
    V <- run(call_vcov)
    assign("V_current", V, envir = globalenv())
    call_test <- "coeftest(m_current, vcov. = V_current, df = G - 1)"
    call_ci <- "coefci(m_current, vcov. = V_current, df = G - 1, level = 0.95)"
    out$call_vcov <- call_vcov; out$call_test <- call_test; out$call_ci <- call_ci
    out$groups <- G; out$df_inference <- G - 1
    out$coefficients <- coef_records(run(call_test), run(call_ci))
    out$vcov <- unname(V)
  } else {
    call_test <- "summary(m_current)$coefficients"
    call_ci <- "confint(m_current, level = 0.95)"
    out$call_test <- call_test; out$call_ci <- call_ci
    out$coefficients <- coef_records(run(call_test), run(call_ci))
  }
  out
}
wscale <- function(v, w) {
  mu <- sum(w * v) / sum(w)
  (v - mu) / sqrt(sum(w * (v - mu)^2) / sum(w))
}
regressions <- list(
  regression("ols_classical", sprintf("lm(%s, data = complete)", f_full), cluster = FALSE),
  regression("ols_cluster", sprintf("lm(%s, data = complete)", f_full)),
  regression("wls_cluster", sprintf("lm(%s, data = complete, weights = weight)", f_full)),
  regression("ols_standardized_cluster", paste0(
    "lm(scale(focused_instruction) ~ scale(years_experience) + scale(trust_principal) + ",
    "scale(shared_leadership) + scale(collective_responsibility) + scale(shared_focus), data = complete)")),
  regression("wls_standardized_cluster", paste0(
    "lm(I(wscale(focused_instruction, weight)) ~ I(wscale(years_experience, weight)) + ",
    "I(wscale(trust_principal, weight)) + I(wscale(shared_leadership, weight)) + ",
    "I(wscale(collective_responsibility, weight)) + I(wscale(shared_focus, weight)), ",
    "data = complete, weights = weight)"))
)

# Hierarchical blocks (Wahlstrom & Louis): teacher characteristics, trust, shared leadership,
# professional community. Every step on the same complete cases.
BLOCKS <- list(teacher = "years_experience", trust = "trust_principal",
               shared_leadership = "shared_leadership",
               professional_community = c("collective_responsibility", "shared_focus"))
steps <- list()
terms_so_far <- character(0)
prev_call <- "lm(focused_instruction ~ 1, data = complete)"
for (b in names(BLOCKS)) {
  terms_so_far <- c(terms_so_far, BLOCKS[[b]])
  call_fit <- sprintf("lm(focused_instruction ~ %s, data = complete)", paste(terms_so_far, collapse = " + "))
  m_prev <- run(prev_call); m <- run(call_fit)
  assign("m_prev", m_prev, envir = globalenv()); assign("m_step", m, envir = globalenv())
  call_anova <- "anova(m_prev, m_step)"
  a <- run(call_anova)
  call_vcov <- "vcovCL(m_step, cluster = ~school_id, type = 'HC1')"
  V <- run(call_vcov)
  assign("V_step", V, envir = globalenv())
  call_wald <- "waldtest(m_prev, m_step, vcov = V_step, test = 'F')"
  w <- run(call_wald)
  q <- length(BLOCKS[[b]])
  bb <- coef(m)[BLOCKS[[b]]]
  wald_f <- as.numeric(t(bb) %*% solve(V[BLOCKS[[b]], BLOCKS[[b]], drop = FALSE]) %*% bb) / q
  steps[[b]] <- list(
    block = b, terms = BLOCKS[[b]], call_previous = prev_call, call = call_fit,
    r2 = summary(m)$r.squared, adj_r2 = summary(m)$adj.r.squared,
    r2_change = summary(m)$r.squared - summary(m_prev)$r.squared,
    call_anova = call_anova, f_change = a$F[2], df1 = a$Df[2], df2 = a$Res.Df[2],
    p_value = a$`Pr(>F)`[2],
    call_vcov = call_vcov, call_wald = call_wald, wald_f_waldtest = w$F[2],
    wald_df2_waldtest = w$Res.Df[2], wald_p_waldtest = w$`Pr(>F)`[2],
    wald_f = wald_f, wald_df1 = q, wald_df2 = G - 1, wald_p_value = pf(wald_f, q, G - 1, lower.tail = FALSE),
    by_hand = paste("r2_change = difference of summary()$r.squared; wald_f = b' V^-1 b / q over the",
                    "block's terms with V from call_vcov, p on (q, G - 1) df")
  )
  prev_call <- call_fit
}

# ---------------------------------------------------------------------------------------------
# Multilevel: lme4::lmer, REML
# ---------------------------------------------------------------------------------------------
ML_X <- c("years_experience", "trust_principal", "shared_leadership", "collective_responsibility")
ml_data <- na.omit(teachers[, c("school_id", "focused_instruction", ML_X)])
centered <- na.omit(teachers[, c("school_id", "focused_instruction", "years_experience", "trust_principal")])
centered$trust_principal_group_mean <- ave(centered$trust_principal, centered$school_id)
centered$trust_principal <- centered$trust_principal - centered$trust_principal_group_mean
centered$years_experience <- centered$years_experience - mean(centered$years_experience)
slopes_c <- slopes
slopes_c$x_group_mean <- ave(slopes_c$x, slopes_c$group)
slopes_c$x <- slopes_c$x - slopes_c$x_group_mean

mixed <- function(name, call_fit, call_null, data_note) {
  m <- run(call_fit); m0 <- run(call_null)
  vc <- as.data.frame(VarCorr(m)); vc0 <- as.data.frame(VarCorr(m0))
  fe <- summary(m)$coefficients
  comp <- lapply(seq_len(nrow(vc)), function(i)
    list(grp = vc$grp[i], var1 = vc$var1[i], var2 = if (is.na(vc$var2[i])) NULL else vc$var2[i],
         variance = vc$vcov[i], sd_or_cor = vc$sdcor[i]))
  tau00 <- vc$vcov[vc$var1 == "(Intercept)" & is.na(vc$var2) & vc$grp != "Residual"]
  sigma2 <- vc$vcov[vc$grp == "Residual"]
  tau00_0 <- vc0$vcov[vc0$grp != "Residual"]; sigma2_0 <- vc0$vcov[vc0$grp == "Residual"]
  nbar <- mean(table(model.frame(m)[[ncol(model.frame(m))]]))
  list(
    name = name, call = call_fit, data = data_note, call_null = call_null,
    n = nobs(m), groups = unname(ngrps(m)),
    fixed = lapply(seq_len(nrow(fe)), function(i)
      list(term = rownames(fe)[i], estimate = fe[i, 1], se = fe[i, 2], t_value = fe[i, 3])),
    components = comp,
    reml_loglik = as.numeric(logLik(m)), reml_criterion = unname(REMLcrit(m)), aic = AIC(m),
    bic = BIC(m), is_singular = isSingular(m),
    null = list(tau00 = tau00_0, sigma2 = sigma2_0, icc = tau00_0 / (tau00_0 + sigma2_0),
                reml_loglik = as.numeric(logLik(m0))),
    variance_explained = list(
      r2_within = (sigma2_0 - sigma2) / sigma2_0,
      r2_between = (tau00_0 - tau00) / tau00_0,
      r2_level1 = 1 - (sigma2 + tau00) / (sigma2_0 + tau00_0),
      r2_level2 = 1 - (sigma2 / nbar + tau00) / (sigma2_0 / nbar + tau00_0),
      mean_group_size = nbar,
      by_hand = paste("from VarCorr of call and call_null: r2_within = (s2_0 - s2)/s2_0,",
                      "r2_between = (t00_0 - t00)/t00_0 (Raudenbush & Bryk); r2_level1 = 1 - (s2 + t00)/(s2_0 + t00_0),",
                      "r2_level2 = 1 - (s2/nbar + t00)/(s2_0/nbar + t00_0) (Snijders & Bosker), nbar = n / groups")
    )
  )
}
multilevel <- list(
  mixed("random_intercept",
        sprintf("lmer(focused_instruction ~ %s + (1 | school_id), data = ml_data, REML = TRUE)",
                paste(ML_X, collapse = " + ")),
        "lmer(focused_instruction ~ 1 + (1 | school_id), data = ml_data, REML = TRUE)",
        "ml_data: complete cases of school_id, focused_instruction and the predictors in teachers.csv"),
  mixed("centered",
        paste0("lmer(focused_instruction ~ years_experience + trust_principal + trust_principal_group_mean",
               " + (1 | school_id), data = centered, REML = TRUE)"),
        "lmer(focused_instruction ~ 1 + (1 | school_id), data = centered, REML = TRUE)",
        paste("centered: complete cases of school_id, focused_instruction, years_experience, trust_principal;",
              "trust_principal minus its school mean (group-mean centering, the mean kept as",
              "trust_principal_group_mean), years_experience minus its mean (grand-mean centering)")),
  mixed("random_slope",
        "lmer(y ~ x + z + (1 + x | group), data = slopes, REML = TRUE)",
        "lmer(y ~ 1 + (1 | group), data = slopes, REML = TRUE)",
        "slopes.csv"),
  mixed("random_slope_centered",
        "lmer(y ~ x + x_group_mean + z + (1 + x | group), data = slopes_c, REML = TRUE)",
        "lmer(y ~ 1 + (1 | group), data = slopes_c, REML = TRUE)",
        "slopes_c: slopes.csv with x minus its group mean, the mean kept as x_group_mean")
)

# ---------------------------------------------------------------------------------------------
# Path models and mediation: lavaan::sem (ML, fixed.x = TRUE), on complete cases
# ---------------------------------------------------------------------------------------------
lavaan_result <- function(name, model, data_name, data_note) {
  call <- sprintf("sem(models$%s, data = %s)", name, data_name)
  fit <- run(call)
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  fm <- fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "rmsea", "srmr", "ntotal"))
  keep <- pe$op %in% c("~", ":=", "~~")
  list(
    name = name, model = model, call = call, data = data_note,
    call_estimates = "parameterEstimates(fit)", call_standardized = "standardizedSolution(fit)",
    call_fit = "fitMeasures(fit, c('chisq', 'df', 'pvalue', 'cfi', 'rmsea', 'srmr', 'ntotal'))",
    parameters = lapply(which(keep), function(i)
      list(lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i], label = pe$label[i], estimate = pe$est[i],
           se = pe$se[i], z = pe$z[i], p_value = pe$pvalue[i],
           std_all = ss$est.std[ss$lhs == pe$lhs[i] & ss$op == pe$op[i] & ss$rhs == pe$rhs[i]])),
    fit = as.list(fm)
  )
}
models <- list(
  individual = paste(
    "collective_responsibility ~ a1*shared_leadership + a2*trust_principal + trust_colleagues",
    "shared_focus ~ a3*instructional_leadership + a4*shared_leadership",
    "focused_instruction ~ b1*collective_responsibility + b2*shared_focus + c*shared_leadership",
    "ind_sl_cr := a1*b1",
    "ind_sl_sf := a4*b2",
    "ind_sl := a1*b1 + a4*b2",
    "total_sl := c + a1*b1 + a4*b2",
    "ind_tp := a2*b1",
    "ind_il := a3*b2",
    sep = "\n"),
  school = paste(
    "shared_focus ~ a*shared_leadership + instructional_leadership",
    "focused_instruction ~ b*shared_focus + c*shared_leadership",
    "ind := a*b",
    "total := c + a*b",
    sep = "\n"),
  mediation = paste(
    "collective_responsibility ~ a*shared_leadership + years_experience",
    "focused_instruction ~ b*collective_responsibility + c*shared_leadership + years_experience",
    "ind := a*b",
    "total := c + a*b",
    sep = "\n")
)
PATH_VARS <- c("collective_responsibility", "shared_leadership", "trust_principal", "trust_colleagues",
               "shared_focus", "instructional_leadership", "focused_instruction")
path_data <- na.omit(teachers[, PATH_VARS])
school_path_vars <- c("shared_focus", "shared_leadership", "instructional_leadership", "focused_instruction")
school_path_data <- na.omit(school_means(teachers, school_path_vars)[, school_path_vars])
mediation_data <- na.omit(teachers[, c("collective_responsibility", "shared_leadership",
                                      "years_experience", "focused_instruction")])
# OLS per equation, to pin the scale of lavaan's ML standard errors (divisor n, not n - k - 1).
ols_equations <- function(d, eqs) lapply(names(eqs), function(y) {
  call <- sprintf("lm(%s ~ %s, data = %s)", y, paste(eqs[[y]], collapse = " + "), d)
  m <- run(call)
  tab <- summary(m)$coefficients
  list(outcome = y, call = call, n = nobs(m),
       coefficients = coef_records(tab, confint(m)), sigma = summary(m)$sigma, r2 = summary(m)$r.squared)
})
paths <- list(
  lavaan_result("individual", models$individual, "path_data",
                "path_data: complete cases of teachers.csv on the model's variables"),
  lavaan_result("school", models$school, "school_path_data",
                paste("school_path_data: school means (school_means(teachers, vars, min_n = 5),",
                      "schools under 5 scores on a variable excluded), complete cases")),
  lavaan_result("mediation", models$mediation, "mediation_data",
                "mediation_data: complete cases of teachers.csv on the model's variables")
)
ols <- list(
  individual = ols_equations("path_data", list(
    collective_responsibility = c("shared_leadership", "trust_principal", "trust_colleagues"),
    shared_focus = c("instructional_leadership", "shared_leadership"),
    focused_instruction = c("collective_responsibility", "shared_focus", "shared_leadership"))),
  school = ols_equations("school_path_data", list(
    shared_focus = c("shared_leadership", "instructional_leadership"),
    focused_instruction = c("shared_focus", "shared_leadership")))
)

out <- list(
  meta = list(
    what = "R references for colead.correlate, regress, multilevel, path and mediate",
    generated_by = "tests/reference/relate/relate.R",
    versions = versions,
    data = list(teachers = "teachers.csv", slopes = "slopes.csv"),
    number_format = "15 significant digits (jsonlite digits = NA); NA -> null"
  ),
  correlate = correlate,
  regress = list(formula = f_full, groups = G, n = nrow(complete), models = regressions,
                 blocks = unname(steps)),
  multilevel = multilevel,
  path = list(models = paths, ols = ols)
)
txt <- toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE)
writeLines(txt, path("relate.json"), useBytes = TRUE)
cat("wrote", path("relate.json"), "\n")
