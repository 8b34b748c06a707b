# Reference values for colead's ordinal methods (issue 18): polychoric correlations, ordinal
# alpha, categorical omega, CFA by WLSMV / DWLS / ULSMV and ordinal measurement invariance.
# Run from the repository root after make_data.py:  Rscript tests/reference/ordinal/ordinal.R
# Writes ordinal.json next to this file.
suppressPackageStartupMessages({
  library(lavaan); library(semTools); library(psych); library(jsonlite)
})
here <- "tests/reference/ordinal"
bfi <- read.csv(file.path(here, "bfi.csv"))
skewed <- read.csv(file.path(here, "skewed.csv"))
empty <- read.csv(file.path(here, "empty.csv"))
stopifnot(isTRUE(all.equal(bfi, psychTools::bfi[, 1:26], check.attributes = FALSE)))

FIT <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
         "chisq.scaling.factor", "baseline.chisq", "baseline.df", "baseline.chisq.scaled",
         "cfi", "tli", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust", "rmsea",
         "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "rmsea.scaled",
         "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.robust", "srmr")

captured <- function(expr) {
  warn <- character(0)
  value <- withCallingHandlers(expr, warning = function(w) {
    warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") })
  list(value = value, warnings = warn)
}

params <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE, remove.eq = TRUE, remove.ineq = TRUE,
                           remove.def = TRUE)
  if (is.null(pe$group)) pe$group <- 1L
  labels <- lavInspect(fit, "group.label")
  list(group = if (length(labels)) labels[pe$group] else pe$group, lhs = pe$lhs, op = pe$op,
       rhs = pe$rhs, est = pe$est, se = pe$se, std_lv = pe$std.lv, std_all = pe$std.all)
}

fit_case <- function(call, model, data, ...) {
  res <- captured(cfa(model, data = data, ...))
  fit <- res$value
  test <- lavInspect(fit, "test")
  ss <- test$scaled.shifted
  samp <- lavInspect(fit, "sampstat", drop.list.single.group = FALSE)
  list(call = call, converged = lavInspect(fit, "converged"),
       nobs = lavInspect(fit, "nobs"), group_labels = lavInspect(fit, "group.label"),
       fit_measures = as.list(fitMeasures(fit, FIT)),
       shift = if (is.null(ss)) NA else ss$shift.parameter,
       parameters = params(fit),
       sample = lapply(samp, function(s) list(th = unname(s$th),
                                              cov = unname(s$cov[lower.tri(s$cov)]))),
       warnings = res$warnings, fit = fit)
}
strip <- function(case) { case$fit <- NULL; case }

out <- list(meta = list(
  r_version = R.version.string, lavaan = as.character(packageVersion("lavaan")),
  semTools = as.character(packageVersion("semTools")),
  psych = as.character(packageVersion("psych")), jsonlite = as.character(packageVersion("jsonlite")),
  input_md5 = as.list(tools::md5sum(file.path(here, c("bfi.csv", "skewed.csv", "empty.csv")))),
  cor_order = "sample.cov and polychoric matrices as lower.tri (column by column, lavaan's vech without diagonal)"))
names(out$meta$input_md5) <- c("bfi.csv", "skewed.csv", "empty.csv")

# -- polychoric correlations ------------------------------------------------------------------
poly_case <- function(call, x, missing = "listwise") {
  fit <- lavCor(x, ordered = names(x), missing = missing, output = "fit")
  s <- lavInspect(fit, "sampstat")
  list(call = call, items = names(x), nobs = lavInspect(fit, "nobs"),
       cor = unname(s$cov[lower.tri(s$cov)]), th = unname(s$th), th_names = names(s$th))
}
b25 <- bfi[, 1:25]
out$polychoric$bfi_listwise <- poly_case('lavCor(bfi[, 1:25], ordered = names(x))', b25)
out$polychoric$bfi_pairwise <- poly_case(
  'lavCor(bfi[, 1:25], ordered = names(x), missing = "pairwise")', b25, "pairwise")
sk <- skewed[, paste0("y", 1:8)]
out$polychoric$skewed_listwise <- poly_case('lavCor(skewed[, y1..y8], ordered = names(x))', sk)
out$polychoric$skewed_pairwise <- poly_case(
  'lavCor(skewed[, y1..y8], ordered = names(x), missing = "pairwise")', sk, "pairwise")
out$polychoric$empty_pooled <- poly_case('lavCor(empty[, e1..e6], ordered = names(x))',
                                         empty[, paste0("e", 1:6)])

# -- ordinal alpha and categorical omega -------------------------------------------------------
keys <- list(agree = c("-A1", "A2", "A3", "A4", "A5"), conscientious = c("C1", "C2", "C3", "-C4", "-C5"),
             extraversion = c("-E1", "-E2", "E3", "E4", "E5"), neuroticism = c("N1", "N2", "N3", "N4", "N5"),
             openness = c("O1", "-O2", "O3", "O4", "-O5"))
keyed <- function(k) {
  d <- bfi[, sub("^-", "", k)]
  rev <- sub("^-", "", k[grepl("^-", k)])
  for (v in rev) d[[v]] <- 7 - d[[v]]
  attr(d, "reversed") <- rev
  d
}
reliab <- function(d, label) {
  R <- lavCor(d, ordered = names(d))
  Rp <- lavCor(d, ordered = names(d), missing = "pairwise")
  a <- psych::alpha(unclass(R))$total
  ap <- psych::alpha(unclass(Rp))$total
  f <- cfa(paste("f =~", paste(names(d), collapse = " + ")), data = d, ordered = TRUE,
           estimator = "WLSMV")
  list(data = label, items = names(d), reversed = attr(d, "reversed"),
       alpha_call = "psych::alpha(lavCor(x, ordered = names(x)))$total$std.alpha",
       ordinal_alpha = a$std.alpha, raw_alpha = a$raw_alpha, g6 = a$`G6(smc)`,
       average_r = a$average_r, ordinal_alpha_pairwise = ap$std.alpha,
       omega_call = 'semTools::compRelSEM(cfa("f =~ ...", x, ordered = TRUE, estimator = "WLSMV"))',
       categorical_omega = unname(compRelSEM(f)[["f"]]),
       omega_ml_scale = unname(compRelSEM(f, ord.scale = FALSE)[["f"]]),
       nobs = lavInspect(f, "nobs"))
}
for (s in names(keys)) out$reliability[[s]] <- reliab(keyed(keys[[s]]), paste("bfi, keyed:", s))
out$reliability$skewed_f1 <- reliab(skewed[, paste0("y", 1:4)], "skewed y1..y4")
out$reliability$skewed_f2 <- reliab(skewed[, paste0("y", 5:8)], "skewed y5..y8")

# -- CFA --------------------------------------------------------------------------------------
m_ac <- "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5"
m_big5 <- paste("A =~ A1 + A2 + A3 + A4 + A5", "C =~ C1 + C2 + C3 + C4 + C5",
                "E =~ E1 + E2 + E3 + E4 + E5", "N =~ N1 + N2 + N3 + N4 + N5",
                "O =~ O1 + O2 + O3 + O4 + O5", sep = "\n")
m_sk <- "F1 =~ y1 + y2 + y3 + y4\nF2 =~ y5 + y6 + y7 + y8"
ac <- bfi[, c(1:10, 26)]
cases <- list()
cases$bfi_ac_wlsmv <- fit_case('cfa(m_ac, bfi, ordered = TRUE, estimator = "WLSMV")', m_ac,
                               ac[, 1:10], ordered = TRUE, estimator = "WLSMV")
cases$bfi_ac_dwls <- fit_case('cfa(m_ac, bfi, ordered = TRUE, estimator = "DWLS")', m_ac,
                              ac[, 1:10], ordered = TRUE, estimator = "DWLS")
cases$bfi_ac_ulsmv <- fit_case('cfa(m_ac, bfi, ordered = TRUE, estimator = "ULSMV")', m_ac,
                               ac[, 1:10], ordered = TRUE, estimator = "ULSMV")
cases$bfi_ac_wlsmv_std_lv <- fit_case(
  'cfa(m_ac, bfi, ordered = TRUE, estimator = "WLSMV", std.lv = TRUE)', m_ac, ac[, 1:10],
  ordered = TRUE, estimator = "WLSMV", std.lv = TRUE)
cases$bfi_big5_wlsmv <- fit_case('cfa(m_big5, bfi[, 1:25], ordered = TRUE, estimator = "WLSMV")',
                                 m_big5, bfi[, 1:25], ordered = TRUE, estimator = "WLSMV")
cases$skewed_wlsmv <- fit_case('cfa(m_sk, skewed, ordered = TRUE, estimator = "WLSMV")', m_sk,
                               skewed, ordered = paste0("y", 1:8), estimator = "WLSMV")
cases$skewed_group_wlsmv <- fit_case(
  'cfa(m_sk, skewed, ordered = TRUE, estimator = "WLSMV", group = "region")', m_sk, skewed,
  ordered = paste0("y", 1:8), estimator = "WLSMV", group = "region")

# -- invariance (Wu & Estabrook 2016 via measEq.syntax) --------------------------------------
invariance <- function(label, model, data, items, group) {
  levels <- list(configural = "configural", thresholds = "thresholds",
                 metric = c("thresholds", "loadings"),
                 scalar = c("thresholds", "loadings", "intercepts"))
  res <- list(group = group, items = items, levels = list())
  fits <- list()
  for (lv in names(levels)) {
    syn <- measEq.syntax(model, data = data, ordered = items, parameterization = "delta",
                         ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = group,
                         group.equal = levels[[lv]])
    case <- fit_case(sprintf('cfa(measEq.syntax(model, ordered, ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group.equal = %s), data, ordered, group = "%s", estimator = "WLSMV")',
                             deparse(levels[[lv]]), group),
                     as.character(syn), data, ordered = items, group = group, estimator = "WLSMV")
    fits[[lv]] <- case$fit
    res$levels[[lv]] <- strip(case)
  }
  lrt <- lavTestLRT(fits$configural, fits$thresholds, fits$metric, fits$scalar)
  res$lrt_call <- "lavTestLRT(configural, thresholds, metric, scalar)  # method satorra.2000, scaled.shifted"
  res$lrt <- list(df = lrt$Df, chisq = lrt$Chisq, chisq_diff = lrt$`Chisq diff`,
                  df_diff = lrt$`Df diff`, p_value_diff = lrt$`Pr(>Chisq)`,
                  scale = attr(lrt, "scale"), shift = attr(lrt, "shift"))
  res
}
out$invariance$bfi_gender <- invariance("bfi A, C by gender", m_ac, ac, names(ac)[1:10], "gender")
out$invariance$skewed_region <- invariance("skewed by region", m_sk, skewed, paste0("y", 1:8),
                                           "region")
# Binary (y1..y4: 1 vs 2-4) and three-category items (y5..y8: 1, 2, 3-4): Wu & Estabrook's
# rules for items with one and two thresholds.
coarse <- skewed
for (v in paste0("y", 1:4)) coarse[[v]] <- ifelse(coarse[[v]] > 1, 2L, 1L)
for (v in paste0("y", 5:8)) coarse[[v]] <- pmin(coarse[[v]], 3L)
out$invariance$coarse_region <- invariance("coarse by region", m_sk, coarse, paste0("y", 1:8),
                                           "region")
out$polychoric$coarse_listwise <- poly_case(
  'coarse: y1..y4 > 1, y5..y8 capped at 3; lavCor(coarse[, y1..y8], ordered = names(x))',
  coarse[, paste0("y", 1:8)])

# -- an empty category in one group ----------------------------------------------------------
m_e <- "F =~ e1 + e2 + e3 + e4 + e5 + e6"
err <- tryCatch(cfa(m_e, empty, ordered = TRUE, estimator = "WLSMV", group = "group"),
                error = function(e) conditionMessage(e))
out$empty$group_error_call <- 'cfa(m_e, empty, ordered = TRUE, estimator = "WLSMV", group = "group")'
out$empty$group_error <- err
merged <- empty; merged$e3[merged$e3 == 4] <- 3
cases$empty_merged_group_wlsmv <- fit_case(
  'merged <- empty; merged$e3[merged$e3 == 4] <- 3; cfa(m_e, merged, ordered = TRUE, estimator = "WLSMV", group = "group")',
  m_e, merged, ordered = TRUE, estimator = "WLSMV", group = "group")
cases$empty_pooled_wlsmv <- fit_case('cfa(m_e, empty, ordered = TRUE, estimator = "WLSMV")', m_e,
                                     empty, ordered = TRUE, estimator = "WLSMV")
out$cfa <- lapply(cases, strip)

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           file.path(here, "ordinal.json"))
