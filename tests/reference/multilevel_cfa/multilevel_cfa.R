# R reference values for colead's two-level CFA, within/between omega and planner (issue 19).
#
# Run from the repository root, after make_data.py:
#   /work/venv/bin/python tests/reference/multilevel_cfa/make_data.py
#   Rscript tests/reference/multilevel_cfa/multilevel_cfa.R
#
# Reads the CSV files next to this script and writes multilevel_cfa.json next to it. Every
# case stores its R code: "prepare" (builds the data frame `x` from the CSV files, which are
# loaded as `teachers`, `factor_model`, `demo`) and the lavaan model syntax; each model is
# fitted twice:
#   default: cfa(model, data = x, cluster = <cluster>[, std.lv = TRUE])   (what users get)
#   tight:   the same, started from the default fit, with optim.method = "BFGS",
#            control = list(reltol = 1e-14, maxit = 1e4)
# lavaan's default nlminb run stops up to ~2e-3 (relative) short of the optimum in some
# parameters of these models; the tight run reaches it (gradient < 1e-6), so estimates can be
# compared at 1e-4 and better. Numbers have 15 significant digits; NA/NaN -> null.

suppressPackageStartupMessages({
  library(jsonlite)
  library(lavaan)
  library(semTools)
  library(multilevel)
})

here <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg)) dirname(normalizePath(sub("^--file=", "", arg[1]))) else getwd()
})
path <- function(name) file.path(here, name)

input_files <- c("teachers.csv", "factor_model.csv", "demo_twolevel.csv")
data_env <- new.env()
data_env$teachers <- read.csv(path("teachers.csv"))
data_env$factor_model <- read.csv(path("factor_model.csv"))
data_env$demo <- read.csv(path("demo_twolevel.csv"))

# demo_twolevel.csv must equal lavaan's copy of Demo.twolevel.
local({
  ref <- lavaan::Demo.twolevel
  d <- data_env$demo
  stopifnot(nrow(d) == nrow(ref),
            isTRUE(all.equal(as.matrix(d[paste0("y", 1:6)]),
                             as.matrix(ref[paste0("y", 1:6)]), tolerance = 1e-14)),
            all(d$cluster == ref$cluster))
})

run <- function(code, env) {
  warn <- character(0)
  value <- withCallingHandlers(
    eval(parse(text = code), envir = env),
    warning = function(w) {
      warn <<- c(warn, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  list(value = value, warnings = warn)
}

fit_measure_names <- c("npar", "ntotal", "chisq", "df", "pvalue", "baseline.chisq",
                       "baseline.df", "cfi", "tli", "logl", "unrestricted.logl", "aic", "bic",
                       "bic2", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue",
                       "srmr", "srmr_within", "srmr_between")

describe_fit <- function(fit, fit_call, warnings) {
  fm <- fitMeasures(fit, fit_measure_names)
  pe <- parameterEstimates(fit, standardized = TRUE)
  sizes <- lavInspect(fit, "cluster.size")
  h1 <- lavInspect(fit, "sampstat")
  list(
    fit_call = fit_call,
    converged = lavInspect(fit, "converged"),
    iterations = lavInspect(fit, "iterations"),
    max_abs_gradient = max(abs(lavInspect(fit, "optim.gradient"))),
    n_used = lavInspect(fit, "nobs"),
    n_clusters = lavInspect(fit, "nclusters"),
    n_singletons = sum(sizes == 1),
    cluster_size_min = min(sizes), cluster_size_max = max(sizes),
    mean_inverse_cluster_size = mean(1 / sizes),
    fit_measures = setNames(as.list(unname(fm)), gsub("\\.", "_", names(fm))),
    parameters = list(level = pe$level, lhs = pe$lhs, op = pe$op, rhs = pe$rhs,
                      est = pe$est, se = pe$se, z = pe$z, pvalue = pe$pvalue,
                      std_lv = pe$std.lv, std_all = pe$std.all),
    coef_names = names(coef(fit)),
    h1_within_cov = unname(h1$within$cov),
    h1_between_cov = unname(h1[[2]]$cov),
    warnings = warnings
  )
}

# compRelSEM on the factors present at both levels (config) and at level 2 (shared).
comp_rel <- function(fit, config, shared, env) {
  env$fit <- fit
  quoted <- function(v) if (length(v)) paste0('"', v, '"', collapse = ", ") else ""
  call <- sprintf("compRelSEM(fit, config = c(%s), shared = c(%s))", quoted(config),
                  quoted(shared))
  out <- run(call, env)
  rel <- out$value
  as_obj <- function(m) {
    if (is.null(m)) return(NULL)
    if (is.list(m)) m <- do.call(cbind, m)  # one factor: compRelSEM returns a list
    res <- lapply(colnames(m), function(f) as.list(m[, f]))
    names(res) <- colnames(m)
    res
  }
  list(call = call, config = as_obj(rel$config), shared = as_obj(rel$shared),
       warnings = out$warnings)
}

case <- function(prepare, model, cluster, config, shared = config, std_lv = FALSE) {
  env <- new.env(parent = data_env)
  env$model <- model
  eval(parse(text = prepare), envir = env)
  extra <- if (std_lv) ", std.lv = TRUE" else ""
  calls <- c(
    default = sprintf('cfa(model, data = x, cluster = "%s"%s)', cluster, extra),
    tight = sprintf(paste0('cfa(model, data = x, cluster = "%s"%s, start = fit_default, ',
                           'optim.method = "BFGS", control = list(reltol = 1e-14, ',
                           'maxit = 10000))'), cluster, extra)
  )
  out <- list(prepare = prepare, model = model, cluster = cluster, std_lv = std_lv,
              n_input = nrow(env$x))
  for (k in names(calls)) {
    started <- proc.time()[["elapsed"]]
    res <- run(calls[[k]], env)
    message(sprintf("%s: %.1f s", calls[[k]], proc.time()[["elapsed"]] - started))
    fit <- res$value
    desc <- describe_fit(fit, calls[[k]], res$warnings)
    desc$comp_rel_sem <- comp_rel(fit, config, shared, env)
    out[[k]] <- desc
    env$fit_default <- fit
  }
  out
}

reverse_teachers <- "x <- teachers; x$tp5 <- 7 - x$tp5; x$sl4 <- 7 - x$sl4"
tp <- paste0("tp", 1:6)
sl <- paste0("sl", 1:6)
one_level <- function(f, items) sprintf("  %s =~ %s", f, paste(items, collapse = " + "))
two_level <- function(within, between) {
  paste(c("level: 1", within, "level: 2", between), collapse = "\n")
}

cases <- list()
m_trust <- two_level(one_level("trust", tp), one_level("trust", tp))
cases$teachers_trust <- case(reverse_teachers, m_trust, "school_id", "trust")
cases$teachers_trust_std_lv <- case(reverse_teachers, m_trust, "school_id", "trust",
                                    std_lv = TRUE)
m_two <- two_level(c(one_level("leadership", sl), one_level("trust", tp)),
                   c(one_level("leadership", sl), one_level("trust", tp)))
cases$teachers_two_factor <- case(reverse_teachers, m_two, "school_id",
                                  c("leadership", "trust"))
m_mixed <- two_level(c(one_level("leadership", sl), one_level("trust", tp)),
                     one_level("school", c(sl, tp)))
cases$teachers_two_within_one_between <- case(reverse_teachers, m_mixed, "school_id",
                                              config = character(0), shared = "school")
m_fm <- two_level(one_level("f", paste0("y", 1:6)), one_level("f", paste0("y", 1:6)))
cases$factor_model <- case("x <- factor_model", m_fm, "school_id", "f")
m_demo <- two_level(c(one_level("f1", paste0("y", 1:3)), one_level("f2", paste0("y", 4:6))),
                    c(one_level("f1", paste0("y", 1:3)), one_level("f2", paste0("y", 4:6))))
cases$demo_two_factor <- case("x <- demo", m_demo, "cluster", c("f1", "f2"))
m_demo3 <- two_level(one_level("f", paste0("y", 1:3)), one_level("f", paste0("y", 1:3)))
cases$demo_three_items <- case("x <- demo", m_demo3, "cluster", "f")

# Planner: ICC(1), ICC(2) of scale scores (row means of the answered, reversed items).
planner <- local({
  env <- new.env(parent = data_env)
  prepare <- paste(reverse_teachers,
                   "scores <- data.frame(school_id = x$school_id,",
                   "  trust_principal = rowMeans(x[paste0('tp', 1:6)], na.rm = TRUE),",
                   "  shared_leadership = rowMeans(x[paste0('sl', 1:6)], na.rm = TRUE),",
                   "  reflective_dialogue = rowMeans(x[paste0('rd', 1:5)], na.rm = TRUE))",
                   sep = "\n")
  eval(parse(text = prepare), envir = env)
  out <- list(prepare = prepare, calls = list(
    icc1 = "multilevel::ICC1(aov(score ~ as.factor(school_id), data = d))",
    icc2 = "multilevel::ICC2(aov(score ~ as.factor(school_id), data = d))"))
  for (s in c("trust_principal", "shared_leadership", "reflective_dialogue")) {
    d <- data.frame(score = env$scores[[s]], school_id = env$scores$school_id)
    d <- d[!is.na(d$score), ]
    env$d <- d
    out$scales[[s]] <- list(
      icc1 = eval(parse(text = out$calls$icc1), envir = env),
      icc2 = eval(parse(text = out$calls$icc2), envir = env),
      n = nrow(d), n_groups = length(unique(d$school_id)),
      mean_group_size = nrow(d) / length(unique(d$school_id)))
  }
  out
})

md5 <- unname(tools::md5sum(path(input_files)))
result <- list(
  meta = list(
    description = "lavaan two-level CFA, semTools compRelSEM(config, shared), multilevel ICC",
    r_version = R.version.string,
    packages = list(lavaan = as.character(packageVersion("lavaan")),
                    semTools = as.character(packageVersion("semTools")),
                    multilevel = as.character(packageVersion("multilevel")),
                    jsonlite = as.character(packageVersion("jsonlite"))),
    input_md5 = setNames(as.list(md5), input_files)
  ),
  cfa = cases,
  planner = planner
)
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, null = "null", na = "null",
                  pretty = TRUE),
           path("multilevel_cfa.json"))
cat("wrote", path("multilevel_cfa.json"), "\n")
