# R reference values for colead's psychometrics (issue 4).
#
# Run from the repository root, after make_data.py:
#   /work/venv/bin/python tests/reference/psychometrics/make_data.py
#   Rscript tests/reference/psychometrics/psychometrics.R
#
# Reads the CSV files next to this script and writes psychometrics.json next to it.
# Every case stores the R code that produced it: "prepare" (builds the inputs from the CSV
# files, which are loaded as data frames named teachers, teachers_complete, edge, hs) and
# "call" (the call whose result is reported); both strings are evaluated verbatim below.
# Numbers are written with 15 significant digits (jsonlite digits = NA); NA/NaN -> null.

suppressPackageStartupMessages({
  library(jsonlite)
  library(psych)
  library(lavaan)
  library(semTools)
  library(GPArotation)
})

here <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg)) dirname(normalizePath(sub("^--file=", "", arg[1]))) else getwd()
})
path <- function(name) file.path(here, name)

# ---------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------
input_files <- c("teachers.csv", "teachers_complete.csv", "keys.csv", "edge.csv",
                 "edge_keys.csv", "holzinger_swineford_1939.csv")
data_env <- new.env()
data_env$teachers <- read.csv(path("teachers.csv"))
data_env$teachers_complete <- read.csv(path("teachers_complete.csv"))
data_env$edge <- read.csv(path("edge.csv"))
data_env$hs <- read.csv(path("holzinger_swineford_1939.csv"))
keys <- read.csv(path("keys.csv"))
edge_keys <- read.csv(path("edge_keys.csv"))

# The CSV export of HolzingerSwineford1939 must equal lavaan's copy.
local({
  ref <- lavaan::HolzingerSwineford1939
  hs <- data_env$hs
  stopifnot(nrow(hs) == nrow(ref),
            isTRUE(all.equal(as.matrix(hs[paste0("x", 1:9)]),
                             as.matrix(ref[paste0("x", 1:9)]), tolerance = 0)),
            identical(as.character(hs$school), as.character(ref$school)))
})

scales <- unique(keys$scale)
items_of <- function(k, scale) k$item[k$scale == scale]

# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------
q <- function(x) paste0('"', x, '"')
cvec <- function(x) paste0("c(", paste(q(x), collapse = ", "), ")")
snake <- function(x) {
  x <- gsub("G6\\(smc\\)", "g6_smc", x)
  x <- gsub("S/N", "signal_noise", x)
  x <- gsub("[^A-Za-z0-9]+", "_", x)
  x <- gsub("_+$", "", x)
  tolower(x)
}
named <- function(v, nm = names(v)) {
  out <- as.list(unname(as.numeric(v)))
  names(out) <- nm
  out
}
# data frame -> {row name: {column: value}}
rows_obj <- function(df, rn = rownames(df)) {
  df <- as.data.frame(df)
  names(df) <- snake(names(df))
  out <- lapply(seq_len(nrow(df)), function(i) {
    r <- lapply(df[i, , drop = FALSE], function(v) if (is.factor(v)) as.character(v) else unname(v))
    r
  })
  names(out) <- rn
  out
}

# Evaluate code strings in a fresh environment that sees the data frames; collect warnings,
# messages (psych reports smc adjustments with message()) and anything printed. With
# allow_error = TRUE an error is returned as value = NULL, error = message.
run <- function(prepare, call, env = new.env(parent = data_env), allow_error = FALSE) {
  warns <- character(0)
  msgs <- character(0)
  printed <- character(0)
  err <- NULL
  body <- function() withCallingHandlers({
    if (nzchar(prepare)) eval(parse(text = prepare), envir = env)
    printed <<- capture.output(v <- eval(parse(text = call), envir = env))
    v
  }, warning = function(w) {
    warns <<- c(warns, conditionMessage(w))
    invokeRestart("muffleWarning")
  }, message = function(m) {
    msgs <<- c(msgs, sub("\n$", "", conditionMessage(m)))
    invokeRestart("muffleMessage")
  })
  value <- if (allow_error) {
    tryCatch(body(), error = function(e) { err <<- conditionMessage(e); NULL })
  } else body()
  list(value = value, env = env, warnings = warns, messages = msgs, printed = printed,
       error = err)
}

# Code that selects a scale's items and reverses the reverse-keyed ones by declared bounds.
prepare_items <- function(data_name, k, scale, reverse = TRUE, var = "x") {
  its <- if (is.null(scale)) k$item else items_of(k, scale)
  code <- sprintf("%s <- %s[, %s]", var, data_name, cvec(its))
  if (reverse) {
    sel <- k[k$item %in% its & k$key < 0, ]
    for (i in seq_len(nrow(sel))) {
      code <- c(code, sprintf("%s$%s <- %s + %s - %s$%s", var, sel$item[i], sel$min[i],
                              sel$max[i], var, sel$item[i]))
    }
  }
  paste(code, collapse = "; ")
}

# ---------------------------------------------------------------------------------------
# psych::alpha
# ---------------------------------------------------------------------------------------
alpha_case <- function(data_name, k, scale, reverse = TRUE, use = NULL) {
  prepare <- prepare_items(data_name, k, scale, reverse)
  call <- if (is.null(use)) "psych::alpha(x)" else sprintf("psych::alpha(x, use = %s)", q(use))
  if (!reverse) call <- sub(")$", ", check.keys = FALSE)", call)
  r <- run(prepare, call)
  a <- r$value
  x <- r$env$x
  tot <- a$total
  n_rows <- nrow(x)
  k_used <- a$nvar
  feldt_call <- sprintf("psych::alpha.ci(a$total$raw_alpha, n.obs = %d, n.var = %d)",
                        n_rows, k_used)
  feldt <- psych::alpha.ci(tot$raw_alpha, n.obs = n_rows, n.var = k_used)
  stopifnot(isTRUE(all.equal(as.numeric(unlist(feldt[c("lower.ci", "upper.ci")])),
                                 as.numeric(unlist(a$feldt[c("lower.ci", "upper.ci")])), tolerance = 0)))
  stats <- a$item.stats
  rownames(stats) <- sub("-$", "", rownames(stats))
  drop <- a$alpha.drop
  rownames(drop) <- sub("-$", "", rownames(drop))
  list(
    data_file = paste0(data_name, ".csv"),
    items = I(names(x)),
    reversed_items = I(if (reverse) k$item[k$item %in% names(x) & k$key < 0] else character(0)),
    prepare = prepare,
    call = paste0("a <- ", call),
    n_rows = n_rows,
    n_complete_rows = sum(complete.cases(x)),
    k_input = ncol(x),
    k_used = k_used,
    raw_alpha = tot$raw_alpha,
    std_alpha = tot$std.alpha,
    g6_smc = tot$`G6(smc)`,
    average_r = tot$average_r,
    signal_noise = tot$`S/N`,
    ase = tot$ase,
    mean = tot$mean,
    sd = tot$sd,
    median_r = tot$median_r,
    var_r = unname(a$var.r),
    feldt = list(call = feldt_call, level = 0.95, n_obs = n_rows, n_var = k_used,
                 lower = feldt$lower.ci, upper = feldt$upper.ci),
    duhachek = list(formula = "a$total$raw_alpha + c(-1, 1) * 1.96 * a$total$ase",
                    lower = tot$raw_alpha - 1.96 * tot$ase,
                    upper = tot$raw_alpha + 1.96 * tot$ase),
    item_stats = rows_obj(stats),
    alpha_drop = rows_obj(drop),
    scores_first_20 = I(unname(as.numeric(head(a$scores, 20)))),
    warnings = I(r$warnings),
    messages = I(r$messages)
  )
}

alpha_out <- list()
for (s in scales) {
  alpha_out[[paste0(s, "_pairwise")]] <- alpha_case("teachers", keys, s)
  alpha_out[[paste0(s, "_complete_obs")]] <- alpha_case("teachers", keys, s, use = "complete.obs")
  alpha_out[[paste0(s, "_complete_data_pairwise")]] <- alpha_case("teachers_complete", keys, s)
  if (any(keys$key[keys$scale == s] < 0)) {
    alpha_out[[paste0(s, "_unreversed_pairwise")]] <- alpha_case("teachers", keys, s, reverse = FALSE)
  }
}
alpha_out[["edge_pairwise"]] <- alpha_case("edge", edge_keys, "edge")
alpha_out[["edge_complete_obs"]] <- alpha_case("edge", edge_keys, "edge", use = "complete.obs")
alpha_out[["edge_unreversed_pairwise"]] <- alpha_case("edge", edge_keys, "edge", reverse = FALSE)

# ---------------------------------------------------------------------------------------
# psych::scoreItems
# ---------------------------------------------------------------------------------------
keys_list_code <- function(k) {
  parts <- vapply(unique(k$scale), function(s) {
    kk <- k[k$scale == s, ]
    paste0(s, " = ", cvec(paste0(ifelse(kk$key < 0, "-", ""), kk$item)))
  }, "")
  paste0("keys_list <- list(", paste(parts, collapse = ", "), ")")
}

score_case <- function(data_name, k, impute) {
  lo <- unique(k$min); hi <- unique(k$max)
  stopifnot(length(lo) == 1, length(hi) == 1)
  prepare <- keys_list_code(k)
  call <- sprintf("psych::scoreItems(keys_list, %s[, %s], impute = %s, min = %s, max = %s)",
                  data_name, cvec(k$item), q(impute), lo, hi)
  r <- run(prepare, call, allow_error = TRUE)
  if (!is.null(r$error)) {
    return(list(data_file = paste0(data_name, ".csv"), prepare = prepare,
                call = paste0("s <- ", call), error = r$error,
                warnings = I(r$warnings), messages = I(r$messages)))
  }
  s <- r$value
  sc <- unique(k$scale)
  one <- function(m) named(m[1, ], if (is.null(colnames(m))) sc else colnames(m))
  ids <- data_env[[data_name]]$respondent_id
  out <- list(
    data_file = paste0(data_name, ".csv"),
    prepare = prepare,
    call = paste0("s <- ", call),
    n_rows = nrow(data_env[[data_name]]),
    alpha = one(s$alpha),
    average_r = one(s$av.r),
    g6 = one(s$G6),
    signal_noise = one(s$sn),
    ase = one(s$ase),
    median_r = named(s$med.r),
    n_items = named(s$n.items, sc)
  )
  if (impute == "none") {
    out$alpha_ob <- one(s$alpha.ob)
    out$mean_items_answered <- named(s$num.ob.item, sc)
  }
  if (!is.null(s$scores)) {
    scores <- as.data.frame(s$scores)
    first <- head(scores, 20)
    out$scores_first_20 <- c(list(respondent_id = I(head(ids, 20))),
                             lapply(first, function(v) I(unname(v))))
    out$score_means <- named(colMeans(scores, na.rm = TRUE))
    out$score_n_missing <- named(colSums(is.na(scores)))
  }
  out$scale_correlations <- rows_obj(s$cor)
  out$warnings <- I(r$warnings)
  out$messages <- I(r$messages)
  out
}

score_out <- list(
  teachers_impute_none = score_case("teachers", keys, "none"),
  teachers_impute_median = score_case("teachers", keys, "median"),
  edge_impute_none = score_case("edge", edge_keys, "none"),
  edge_impute_median = score_case("edge", edge_keys, "median"),
  edge_without_const_impute_none = score_case("edge", edge_keys[edge_keys$item != "const", ], "none"),
  edge_without_const_impute_median = score_case("edge", edge_keys[edge_keys$item != "const", ], "median")
)

# ---------------------------------------------------------------------------------------
# lavaan helpers
# ---------------------------------------------------------------------------------------
fit_names <- c("npar", "ntotal", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
               "cfi", "tli", "logl", "unrestricted.logl", "aic", "bic", "bic2", "rmsea",
               "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr")
fit_measures <- function(fit) {
  fm <- lavaan::fitMeasures(fit)
  fm <- fm[intersect(fit_names, names(fm))]
  named(fm, snake(names(fm)))
}
param_table <- function(fit) {
  pe <- lavaan::parameterEstimates(fit, standardized = TRUE)
  pe <- pe[pe$op %in% c("=~", "~~", "~1"), ]
  lab <- paste(pe$lhs, pe$op, pe$rhs)
  lab <- sub(" $", "", lab)
  if (!is.null(pe$group) && max(pe$group) > 1) lab <- paste0(lab, " | group ", pe$group)
  cols <- intersect(c("est", "se", "z", "pvalue", "std.lv", "std.all"), names(pe))
  rows_obj(pe[, cols], lab)
}
loadings_of <- function(fit, what = c("est", "std.all")) {
  what <- match.arg(what)
  pe <- lavaan::parameterEstimates(fit, standardized = TRUE)
  pe <- pe[pe$op == "=~", ]
  named(pe[[what]], pe$rhs)
}
one_factor_model <- function(scale, its) paste(scale, "=~", paste(its, collapse = " + "))

cfa_result <- function(r, fit_call) {
  fit <- r$value
  list(
    fit_call = fit_call,
    converged = lavaan::lavInspect(fit, "converged"),
    n_used = sum(unlist(lavaan::lavInspect(fit, "nobs"))),
    n_input = sum(unlist(lavaan::lavInspect(fit, "norig"))),
    fit_measures = fit_measures(fit),
    loadings = loadings_of(fit, "est"),
    std_loadings = loadings_of(fit, "std.all"),
    parameters = param_table(fit)
  )
}

# ---------------------------------------------------------------------------------------
# semTools::compRelSEM on one-factor CFAs
# ---------------------------------------------------------------------------------------
omega_sem_case <- function(scale, missing = NULL) {
  its <- items_of(keys, scale)
  prepare <- paste0(prepare_items("teachers", keys, scale), "; model <- ",
                    q(one_factor_model(scale, its)))
  fit_call <- if (is.null(missing)) "lavaan::cfa(model, data = x)" else
    sprintf("lavaan::cfa(model, data = x, missing = %s)", q(missing))
  r <- run(prepare, fit_call)
  env <- r$env
  env$fit <- r$value
  om <- run("", "semTools::compRelSEM(fit)", env)
  te <- run("", "semTools::compRelSEM(fit, tau.eq = TRUE)", env)
  out <- list(data_file = "teachers.csv", prepare = prepare)
  out <- c(out, cfa_result(r, paste0("fit <- ", fit_call)))
  out$omega_call <- "semTools::compRelSEM(fit)"
  out$omega_total <- unname(as.numeric(om$value[[scale]]))
  out$alpha_tau_eq_call <- "semTools::compRelSEM(fit, tau.eq = TRUE)"
  out$alpha_tau_eq <- unname(as.numeric(te$value[[scale]]))
  out$warnings <- I(c(r$warnings, om$warnings, te$warnings))
  out$messages <- I(c(r$messages, om$messages, te$messages))
  out
}
omega_sem_out <- list()
for (s in scales) {
  omega_sem_out[[paste0(s, "_listwise")]] <- omega_sem_case(s)
  omega_sem_out[[paste0(s, "_fiml")]] <- omega_sem_case(s, missing = "ml")
}

# ---------------------------------------------------------------------------------------
# psych::omega (Schmid-Leiman)
# ---------------------------------------------------------------------------------------
omega_scales <- c("shared_leadership", "trust_principal", "shared_focus")
omega_keys <- keys[keys$scale %in% omega_scales, ]
omega_case <- function(nfactors, reverse = TRUE) {
  prepare <- prepare_items("teachers", omega_keys, NULL, reverse)
  call <- sprintf('psych::omega(x, nfactors = %d, fm = "minres", rotate = "oblimin", plot = FALSE)',
                  nfactors)
  r <- run(prepare, call)
  om <- r$value
  sl <- unclass(om$schmid$sl)
  # psych::omega (flip = TRUE) appends "-" to items it reversed because their g loading was
  # negative; names are reported without the suffix and the flipped items listed.
  flipped <- sub("-$", "", grep("-$", rownames(sl), value = TRUE))
  rownames(sl) <- sub("-$", "", rownames(sl))
  group_cols <- grep("^F[0-9]+\\*$", colnames(sl), value = TRUE)
  main_group <- group_cols[apply(abs(sl[, group_cols, drop = FALSE]), 1, which.max)]
  group_items <- lapply(group_cols, function(f) I(rownames(sl)[main_group == f]))
  names(group_items) <- snake(group_cols)
  og <- om$omega.group
  rownames(og) <- snake(rownames(og))
  list(
    data_file = "teachers.csv",
    scales = I(omega_scales),
    items = I(names(r$env$x)),
    prepare = prepare,
    call = paste0("om <- ", call),
    omega_h = om$omega_h,
    alpha = om$alpha,
    omega_tot = om$omega.tot,
    omega_lim = om$omega.lim,
    flipped_items = I(flipped),
    g_loadings = named(sl[, "g"], rownames(sl)),
    schmid_leiman = rows_obj(as.data.frame(sl)),
    group_factor_items = group_items,
    omega_group = rows_obj(og),
    warnings = I(r$warnings),
    messages = I(r$messages)
  )
}
omega_out <- list(
  teachers_nfactors_2 = omega_case(2),
  teachers_nfactors_3 = omega_case(3),
  teachers_nfactors_3_unreversed = omega_case(3, reverse = FALSE)
)

# ---------------------------------------------------------------------------------------
# CFA: Holzinger-Swineford and teachers
# ---------------------------------------------------------------------------------------
hs_model <- "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
hs_prepare <- paste0("model <- ", q(hs_model))
hs <- run(hs_prepare, "lavaan::cfa(model, data = hs)")
hs_builtin <- run(hs_prepare, "lavaan::cfa(model, data = lavaan::HolzingerSwineford1939)")
stopifnot(isTRUE(all.equal(coef(hs$value), coef(hs_builtin$value), tolerance = 1e-12)))
hs_out <- c(list(data_file = "holzinger_swineford_1939.csv", prepare = hs_prepare),
            cfa_result(hs, "fit <- lavaan::cfa(model, data = hs)"))
hs_env <- hs$env; hs_env$fit <- hs$value
hs_out$comp_rel_sem_call <- "semTools::compRelSEM(fit)"
hs_out$comp_rel_sem <- named(unlist(run("", "semTools::compRelSEM(fit)", hs_env)$value))
hs_out$comp_rel_sem_tau_eq_call <- "semTools::compRelSEM(fit, tau.eq = TRUE)"
hs_out$comp_rel_sem_tau_eq <- named(unlist(run("", "semTools::compRelSEM(fit, tau.eq = TRUE)", hs_env)$value))
hs_out$warnings <- I(hs$warnings)
hs_out$messages <- I(hs$messages)

# Compare with the oracle numbers in /work/shared/reference/peers.md section 4.
fm <- hs_out$fit_measures
ld <- hs_out$loadings
peers <- list(
  chisq = c(85.306, fm$chisq, 3), df = c(24, fm$df, 0), cfi = c(.931, fm$cfi, 3),
  tli = c(.896, fm$tli, 3), rmsea = c(.092, fm$rmsea, 3),
  rmsea_ci_lower = c(.071, fm$rmsea_ci_lower, 3), rmsea_ci_upper = c(.114, fm$rmsea_ci_upper, 3),
  srmr = c(.065, fm$srmr, 3), aic = c(7517.490, fm$aic, 3), bic = c(7595.339, fm$bic, 3),
  loading_x2 = c(.554, ld$x2, 3), loading_x3 = c(.729, ld$x3, 3), loading_x5 = c(1.113, ld$x5, 3),
  loading_x6 = c(.926, ld$x6, 3), loading_x8 = c(1.180, ld$x8, 3), loading_x9 = c(1.082, ld$x9, 3),
  comp_rel_sem_visual = c(.612, hs_out$comp_rel_sem$visual, 3),
  comp_rel_sem_textual = c(.885, hs_out$comp_rel_sem$textual, 3),
  comp_rel_sem_speed = c(.686, hs_out$comp_rel_sem$speed, 3),
  # peers.md quotes semTools::reliability(fit) alpha .626/.883/.688 = compRelSEM(tau.eq = TRUE)
  alpha_tau_eq_visual = c(.626, hs_out$comp_rel_sem_tau_eq$visual, 3),
  alpha_tau_eq_textual = c(.883, hs_out$comp_rel_sem_tau_eq$textual, 3),
  alpha_tau_eq_speed = c(.688, hs_out$comp_rel_sem_tau_eq$speed, 3)
)
hs_out$check_vs_peers_md <- lapply(peers, function(p)
  list(peers_md = p[1], r = p[2], r_rounded = round(p[2], p[3]), match = round(p[2], p[3]) == p[1]))

# Measurement invariance by school (configural, metric, scalar), as in peers.md section 4.
inv_prepare <- hs_prepare
inv_calls <- c(
  configural = 'lavaan::cfa(model, data = hs, group = "school")',
  metric = 'lavaan::cfa(model, data = hs, group = "school", group.equal = "loadings")',
  scalar = 'lavaan::cfa(model, data = hs, group = "school", group.equal = c("loadings", "intercepts"))'
)
inv_env <- new.env(parent = data_env)
inv <- lapply(names(inv_calls), function(nm) {
  r <- run(inv_prepare, inv_calls[[nm]], inv_env)
  assign(paste0("fit_", nm), r$value, envir = inv_env)
  list(fit_call = paste0("fit_", nm, " <- ", inv_calls[[nm]]),
       converged = lavaan::lavInspect(r$value, "converged"),
       group_labels = I(lavaan::lavInspect(r$value, "group.label")),
       fit_measures = fit_measures(r$value),
       warnings = I(r$warnings), messages = I(r$messages))
})
names(inv) <- names(inv_calls)
lrt_call <- "lavaan::lavTestLRT(fit_configural, fit_metric, fit_scalar)"
lrt <- run("", lrt_call, inv_env)$value
lrt_df <- as.data.frame(lrt)
rownames(lrt_df) <- sub("^fit_", "", rownames(lrt_df))
lrt_names <- c(Df = "df", AIC = "aic", BIC = "bic", Chisq = "chisq", `Chisq diff` = "chisq_diff",
               RMSEA = "rmsea_diff", `Df diff` = "df_diff", `Pr(>Chisq)` = "p_value_diff")
stopifnot(all(names(lrt_df) %in% names(lrt_names)))
names(lrt_df) <- lrt_names[names(lrt_df)]
hs_inv_out <- c(list(data_file = "holzinger_swineford_1939.csv", prepare = inv_prepare),
                inv, list(lrt_call = lrt_call, lrt = rows_obj(lrt_df)))
peers_inv <- list(
  configural_chisq = c(115.851, inv$configural$fit_measures$chisq, 3),
  configural_df = c(48, inv$configural$fit_measures$df, 0),
  configural_cfi = c(.923, inv$configural$fit_measures$cfi, 3),
  configural_rmsea = c(.097, inv$configural$fit_measures$rmsea, 3),
  metric_chisq = c(124.044, inv$metric$fit_measures$chisq, 3),
  metric_df = c(54, inv$metric$fit_measures$df, 0),
  metric_delta_chisq = c(8.192, lrt_df["metric", "chisq_diff"], 3),
  metric_delta_p = c(.224, lrt_df["metric", "p_value_diff"], 3),
  scalar_chisq = c(164.103, inv$scalar$fit_measures$chisq, 3),
  scalar_df = c(60, inv$scalar$fit_measures$df, 0),
  scalar_delta_chisq = c(40.059, lrt_df["scalar", "chisq_diff"], 3),
  scalar_delta_p = c(4.4e-7, lrt_df["scalar", "p_value_diff"], NA),
  scalar_cfi = c(.882, inv$scalar$fit_measures$cfi, 3)
)
hs_inv_out$check_vs_peers_md <- lapply(peers_inv, function(p) {
  rr <- if (is.na(p[3])) signif(p[2], 2) else round(p[2], p[3])
  list(peers_md = p[1], r = p[2], r_rounded = rr, match = rr == p[1])
})

# Teachers: three correlated factors (reverse-keyed items reversed by declared bounds).
cfa_scales <- c("shared_leadership", "trust_principal", "collective_efficacy")
cfa_keys <- keys[keys$scale %in% cfa_scales, ]
teach_model <- paste(vapply(cfa_scales, function(s) one_factor_model(s, items_of(keys, s)), ""),
                     collapse = "\\n")
teach_prepare <- paste0(prepare_items("teachers", cfa_keys, NULL), "; model <- ", q(teach_model))
teach_case <- function(missing = NULL) {
  call <- if (is.null(missing)) "lavaan::cfa(model, data = x)" else
    sprintf("lavaan::cfa(model, data = x, missing = %s)", q(missing))
  r <- run(teach_prepare, call)
  out <- c(list(data_file = "teachers.csv", prepare = teach_prepare),
           cfa_result(r, paste0("fit <- ", call)))
  env <- r$env; env$fit <- r$value
  out$comp_rel_sem <- named(unlist(run("", "semTools::compRelSEM(fit)", env)$value))
  out$factor_correlations <- local({
    ps <- lavaan::lavInspect(r$value, "cor.lv")
    rows_obj(as.data.frame(unclass(ps)))
  })
  out$warnings <- I(r$warnings)
  out$messages <- I(r$messages)
  out
}

cfa_out <- list(
  holzinger_swineford_3factor = hs_out,
  holzinger_swineford_invariance_school = hs_inv_out,
  teachers_3factor_listwise = teach_case(),
  teachers_3factor_fiml = teach_case("ml")
)

# ---------------------------------------------------------------------------------------
# Write
# ---------------------------------------------------------------------------------------
pkgs <- c("psych", "lavaan", "semTools", "GPArotation", "jsonlite")
meta <- list(
  description = "R reference values for colead psychometrics; see README.md",
  r_version = R.version.string,
  packages = setNames(lapply(pkgs, function(p) as.character(packageVersion(p))), pkgs),
  blas = extSoftVersion()[["BLAS"]],
  lapack = La_library(),
  input_md5 = as.list(setNames(unname(tools::md5sum(path(input_files))), input_files)),
  data_frames = list(
    teachers = 'read.csv("teachers.csv")',
    teachers_complete = 'read.csv("teachers_complete.csv")',
    edge = 'read.csv("edge.csv")',
    hs = 'read.csv("holzinger_swineford_1939.csv")'
  ),
  precision = "15 significant digits (jsonlite::toJSON digits = NA); NA and NaN written as null"
)

result <- list(
  meta = meta,
  alpha = alpha_out,
  score_items = score_out,
  omega_sem = omega_sem_out,
  omega = omega_out,
  cfa = cfa_out
)
json <- jsonlite::toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE,
                         na = "null", null = "null")
writeLines(json, path("psychometrics.json"))
cat("wrote", path("psychometrics.json"), "\n")
