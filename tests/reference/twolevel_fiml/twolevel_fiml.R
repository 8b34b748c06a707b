# R reference values for colead's two-level CFA with missing answers (missing = "ml", issue 19).
#
# Run from the repository root, after make_data.py:
#   /work/venv/bin/python tests/reference/twolevel_fiml/make_data.py
#   Rscript tests/reference/twolevel_fiml/twolevel_fiml.R
#
# Reads small_schools.csv and demo_missing.csv next to this script and
# ../multilevel_cfa/teachers.csv, writes twolevel_fiml.json next to it. Each case stores its R
# code: "prepare" builds the data frame `x` as a user would pass it (rows without any answer
# included), the lavaan model syntax and the extra arguments of the call. Each case is run:
#   as_given: cfa(model, data = x, cluster = , missing = "ml")   lavaan drops the rows without
#             any answer itself; its analytic gradient is then wrong for the within level
#             (lavaan issue #580, fixed in 0.6-21), so the estimates stop elsewhere
#   default:  the same call on x without those rows (x_used): what lavaan estimates correctly
#   tight:    x_used again, started from the default estimates (as fixed starting values of
#             the parameter table), optim.method = "BFGS", reltol = 1e-14
#   h1_tight: lavaan's H1 for missing data (lav_partable_unrestricted_chol: Sigma = L L' +
#             1e-4 I at each level), fitted to x_used and then tightened the same way; lavaan's
#             own H1 stops at nlminb's rel.tol = 1e-7
#   baseline_tight: the baseline (independence) model, fitted and tightened the same way
# Numbers have 15 significant digits; NA/NaN -> null.

suppressPackageStartupMessages({
  library(jsonlite)
  library(lavaan)
})

here <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg)) dirname(normalizePath(sub("^--file=", "", arg[1]))) else getwd()
})
path <- function(name) file.path(here, name)

input_files <- c("small_schools.csv", "demo_missing.csv", "../multilevel_cfa/teachers.csv")
data_env <- new.env()
data_env$small <- read.csv(path("small_schools.csv"))
data_env$demo <- read.csv(path("demo_missing.csv"))
data_env$teachers <- read.csv(path("../multilevel_cfa/teachers.csv"))

run <- function(code, env) {
  warn <- character(0)
  started <- proc.time()[["elapsed"]]
  value <- withCallingHandlers(
    eval(parse(text = code), envir = env),
    warning = function(w) {
      warn <<- c(warn, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  list(value = value, warnings = warn, seconds = proc.time()[["elapsed"]] - started)
}

# The parameter table of a fit with its estimates as starting values.
start_table <- function(fit) {
  pt <- parTable(fit)
  free <- pt$free > 0
  pt$ustart[free] <- pt$est[free]
  keep <- intersect(c("id", "lhs", "op", "rhs", "user", "block", "group", "level", "free",
                      "ustart", "exo", "label", "plabel", "lower", "upper"), names(pt))
  pt[, keep]
}
tight_options <- 'optim.method = "BFGS", control = list(reltol = 1e-14, maxit = 10000)'

fit_measure_names <- c("npar", "ntotal", "chisq", "df", "pvalue", "baseline.chisq",
                       "baseline.df", "cfi", "tli", "logl", "unrestricted.logl", "aic", "bic",
                       "bic2", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue",
                       "srmr", "srmr_within", "srmr_between")

describe_fit <- function(fit, fit_call, res) {
  converged <- lavInspect(fit, "converged")
  sizes <- lavInspect(fit, "cluster.size")
  out <- list(
    fit_call = fit_call, converged = converged, warnings = res$warnings,
    seconds = res$seconds, iterations = lavInspect(fit, "iterations"),
    max_abs_gradient = max(abs(lavInspect(fit, "optim.gradient"))),
    n_used = lavInspect(fit, "nobs"), n_clusters = lavInspect(fit, "nclusters"),
    n_singletons = sum(sizes == 1), cluster_size_min = min(sizes),
    cluster_size_max = max(sizes),
    options = lavInspect(fit, "options")[c("se", "information", "observed.information",
                                           "h1.information", "optim.method")],
    coef_names = names(coef(fit)), coef = unname(coef(fit))
  )
  if (converged) {
    fm <- fitMeasures(fit, fit_measure_names)
    pe <- parameterEstimates(fit, standardized = TRUE)
    h1 <- lavInspect(fit, "h1")
    out$fit_measures <- setNames(as.list(unname(fm)), gsub("\\.", "_", names(fm)))
    out$parameters <- list(level = pe$level, lhs = pe$lhs, op = pe$op, rhs = pe$rhs,
                           est = pe$est, se = pe$se, z = pe$z, pvalue = pe$pvalue,
                           std_lv = pe$std.lv, std_all = pe$std.all)
    out$h1_within_cov <- unname(h1[[1]]$cov)
    out$h1_between_cov <- unname(h1[[2]]$cov)
  }
  out
}

# A model fitted to x_used, then tightened: its log-likelihood, implied moments and gradient.
tightened <- function(model_code, env, label) {
  first <- run(model_code, env)
  env$fit_first <- first$value
  call <- paste0("lavaan(start_table(fit_first), data = x_used, cluster = cluster, ",
                 "missing = \"ml\", h1 = FALSE, baseline = FALSE, se = \"none\", ",
                 tight_options, ")")
  res <- run(call, env)
  fit <- res$value
  message(sprintf("%s: %.1f s + %.1f s", label, first$seconds, res$seconds))
  implied <- lavInspect(fit, "implied")
  list(first_call = model_code, call = call, converged = lavInspect(fit, "converged"),
       first_logl = as.numeric(logLik(first$value)),
       logl = as.numeric(logLik(fit)),
       max_abs_gradient = max(abs(lavInspect(fit, "optim.gradient"))),
       within_cov = unname(implied[[1]]$cov), between_cov = unname(implied[[2]]$cov),
       mean = unname(implied[[1]]$mean + implied[[2]]$mean),
       warnings = c(first$warnings, res$warnings))
}

case <- function(prepare, model, cluster, items, id, extra = "", std_lv = FALSE) {
  env <- new.env(parent = data_env)
  env$model <- model
  env$cluster <- cluster
  env$start_table <- start_table
  eval(parse(text = prepare), envir = env)
  used <- sprintf("x_used <- x[rowSums(!is.na(x[c(%s)])) > 0, ]",
                  paste0('"', items, '"', collapse = ", "))
  eval(parse(text = used), envir = env)
  args <- paste0('cluster = "', cluster, '", missing = "ml"', if (std_lv) ", std.lv = TRUE",
                 extra)
  calls <- c(
    as_given = sprintf("cfa(model, data = x, %s)", args),
    default = sprintf("cfa(model, data = x_used, %s)", args),
    tight = paste0("lavaan(start_table(fit_default), data = x_used, cluster = cluster, ",
                   'missing = "ml", ', tight_options, ")")
  )
  out <- list(prepare = prepare, drop_empty = used, model = model, cluster = cluster,
              std_lv = std_lv, extra = extra, n_input = nrow(env$x))
  for (k in names(calls)) {
    res <- run(calls[[k]], env)
    fit <- res$value
    message(sprintf("%s: %.1f s", calls[[k]], res$seconds))
    out[[k]] <- describe_fit(fit, calls[[k]], res)
    if (k == "as_given") {
      out[[k]]$empty_ids <- env$x[[id]][lavInspect(fit, "empty.idx")]
    }
    env[[paste0("fit_", k)]] <- fit
  }
  env$fit_h1 <- env$fit_default
  out$h1_tight <- tightened(paste0(
    "lavaan(lavaan:::lav_partable_unrestricted_chol(lavobject = fit_h1), data = x_used, ",
    'cluster = cluster, missing = "ml", h1 = FALSE, baseline = FALSE, se = "none")'),
    env, "h1")
  both <- paste(sprintf("%s ~~ %s", items, items), collapse = "\n")
  env$baseline_model <- paste0("level: 1\n", both, "\nlevel: 2\n", both)
  out$baseline_tight <- tightened(paste0(
    'sem(baseline_model, data = x_used, cluster = cluster, missing = "ml", h1 = FALSE, ',
    'baseline = FALSE, se = "none")'), env, "baseline")
  out
}

one_level <- function(f, items) sprintf("  %s =~ %s", f, paste(items, collapse = " + "))
two_level <- function(within, between) {
  paste(c("level: 1", within, "level: 2", between), collapse = "\n")
}
y <- paste0("y", 1:6)
tp <- paste0("tp", 1:6)
sl <- paste0("sl", 1:6)
# lavaan puts rows without a cluster id into one more cluster; colead leaves them out
small <- "x <- small[!is.na(small$school_id), ]"
teachers <- "x <- teachers; x$tp5 <- 7 - x$tp5; x$sl4 <- 7 - x$sl4"

cases <- list()
cases$small_two_within_one_between <- case(
  small, two_level(c(one_level("f1", y[1:3]), one_level("f2", y[4:6])),
                   one_level("school", y)), "school_id", y, "row_id")
m_one <- two_level(one_level("f", y), one_level("f", y))
cases$small_one_factor <- case(small, m_one, "school_id", y, "row_id")
cases$small_one_factor_std_lv <- case(small, m_one, "school_id", y, "row_id", std_lv = TRUE)
cases$demo_two_factor <- case(
  "x <- demo", two_level(c(one_level("f1", y[1:3]), one_level("f2", y[4:6])),
                         c(one_level("f1", y[1:3]), one_level("f2", y[4:6]))),
  "cluster", y, "row_id")
# lavaan's default starting values fail here (nlminb stops at once); "simple" ones do not
cases$teachers_trust <- case(
  teachers, two_level(one_level("trust", tp), one_level("trust", tp)), "school_id", tp,
  "respondent_id", extra = ', start = "simple"')
cases$teachers_two_within_one_between <- case(
  teachers, two_level(c(one_level("leadership", sl), one_level("trust", tp)),
                      one_level("school", c(sl, tp))), "school_id", c(sl, tp),
  "respondent_id")

md5 <- unname(tools::md5sum(path(input_files)))
result <- list(
  meta = list(
    description = "lavaan two-level CFA with missing = 'ml' (full-information ML)",
    r_version = R.version.string,
    packages = list(lavaan = as.character(packageVersion("lavaan")),
                    jsonlite = as.character(packageVersion("jsonlite"))),
    input_md5 = setNames(as.list(md5), input_files)
  ),
  cfa = cases
)
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, null = "null", na = "null",
                  pretty = TRUE),
           path("twolevel_fiml.json"))
cat("wrote", path("twolevel_fiml.json"), "\n")
