# R reference values for colead.multilevel(reml = False), unbalanced random-slope models and
# colead.compare (likelihood-ratio tests, as lme4's anova).
#
#   /work/venv/bin/python tests/reference/relate/make_unbalanced.py
#   Rscript tests/reference/relate/mixed_ml.R
#
# Reads teachers.csv, slopes.csv (make_data.py) and unbalanced.csv (make_unbalanced.py) and
# writes mixed_ml.json next to this script. Every value sits next to the exact call that made
# it (`call`, `call_anova`; each string is run with eval(parse(text = call))).
#
# lme4's optimiser (nloptwrap BOBYQA, derivative-free) stops where function values stop
# improving, which for random-slope models is up to about 2e-5 (relative) away from the
# optimum of lme4's own criterion, even with tight tolerances. A reference at 1e-6 needs the
# optimum itself, so every fit is made with lme4's modular interface (?modular): lFormula,
# mkLmerDevfun, optimizeLmer (lmer's own optimiser), then Newton steps on lme4's deviance
# function with numDeriv's Richardson-extrapolated gradient and Hessian, then mkMerMod, so
# that summary, VarCorr, logLik, AIC, BIC and anova are lme4's own. `polish` below; each fit
# also records lmer()'s own result with default control (`lmer_default`), for comparison.
# Numbers: 15 significant digits (jsonlite digits = NA); NA -> null.

suppressPackageStartupMessages({
  library(lme4)
  library(numDeriv)
  library(jsonlite)
})

script_dir <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg)) dirname(normalizePath(sub("^--file=", "", arg[1]))) else getwd()
})
path <- function(name) file.path(script_dir, name)
run <- function(call) eval(parse(text = call), envir = globalenv())

# lmer at the optimum of its criterion: lmer's optimiser, then Newton steps on the free
# parameters (a parameter on its lower bound with the gradient pushing outwards stays there).
polish <- function(formula, data, REML) {
  mc <- call("lmer", formula = formula, data = as.name(data), REML = REML)
  lmod <- lFormula(formula, data = get(data, envir = globalenv()), REML = REML)
  devfun <- do.call(mkLmerDevfun, lmod)
  opt <- optimizeLmer(devfun)
  theta <- opt$par
  lower <- lmod$reTrms$lower
  for (i in 1:30) {
    g <- numDeriv::grad(devfun, theta)
    free <- !(theta <= lower & g > 0)
    if (!any(free) || max(abs(g[free])) < 1e-9) break
    h <- numDeriv::hessian(devfun, theta)[free, free, drop = FALSE]
    step <- solve(h, g[free])
    theta[free] <- pmax(theta[free] - step, lower[free])
  }
  opt$par <- theta
  opt$fval <- devfun(theta)  # leaves lme4's environment at theta for mkMerMod
  mkMerMod(environment(devfun), opt, lmod$reTrms, fr = lmod$fr, mc = mc)
}

teachers <- read.csv(path("teachers.csv"), stringsAsFactors = FALSE)
slopes <- read.csv(path("slopes.csv"), stringsAsFactors = FALSE)
unbalanced <- read.csv(path("unbalanced.csv"), stringsAsFactors = FALSE)

ML_X <- c("years_experience", "trust_principal", "shared_leadership", "collective_responsibility")
ml_data <- na.omit(teachers[, c("school_id", "focused_instruction", ML_X)])
centered <- na.omit(teachers[, c("school_id", "focused_instruction", "years_experience", "trust_principal")])
centered$trust_principal_group_mean <- ave(centered$trust_principal, centered$school_id)
centered$trust_principal <- centered$trust_principal - centered$trust_principal_group_mean
centered$years_experience <- centered$years_experience - mean(centered$years_experience)
ub <- na.omit(unbalanced[, c("group", "y", "x", "w")])
ub_c <- ub
ub_c$x_group_mean <- ave(ub_c$x, ub_c$group)
ub_c$x <- ub_c$x - ub_c$x_group_mean
ub_v <- na.omit(unbalanced[, c("group", "y", "x", "v", "w")])

mixed <- function(name, formula, data, reml, data_note) {
  f <- as.formula(formula)
  response <- all.vars(f)[1]
  group <- sub(".*\\|\\s*([A-Za-z_]+)\\s*\\)$", "\\1", formula)
  call_fit <- sprintf("polish(%s, '%s', REML = %s)", formula, data, reml)
  call_null <- sprintf("polish(%s ~ 1 + (1 | %s), '%s', REML = %s)", response, group, data, reml)
  call_default <- sprintf("lmer(%s, data = %s, REML = %s)", formula, data, reml)
  m <- run(call_fit); m0 <- run(call_null)
  m_default <- suppressMessages(suppressWarnings(run(call_default)))
  vc <- as.data.frame(VarCorr(m)); vc0 <- as.data.frame(VarCorr(m0))
  fe <- summary(m)$coefficients
  comp <- lapply(seq_len(nrow(vc)), function(i)
    list(grp = vc$grp[i], var1 = vc$var1[i], var2 = if (is.na(vc$var2[i])) NULL else vc$var2[i],
         variance = vc$vcov[i], sd_or_cor = vc$sdcor[i]))
  tau00_0 <- vc0$vcov[vc0$grp != "Residual"]; sigma2_0 <- vc0$vcov[vc0$grp == "Residual"]
  list(
    name = name, call = call_fit, call_null = call_null, data = data_note, reml = isREML(m),
    n = nobs(m), groups = unname(ngrps(m)),
    fixed = lapply(seq_len(nrow(fe)), function(i)
      list(term = rownames(fe)[i], estimate = fe[i, 1], se = fe[i, 2], t_value = fe[i, 3])),
    components = comp,
    theta = unname(getME(m, "theta")),
    loglik = as.numeric(logLik(m)), aic = AIC(m), bic = BIC(m),
    deviance_or_remlcrit = if (isREML(m)) unname(REMLcrit(m)) else deviance(m),
    is_singular = isSingular(m),
    lmer_default = list(
      call = call_default, loglik = as.numeric(logLik(m_default)),
      fixed = unname(fixef(m_default)),
      variance = as.data.frame(VarCorr(m_default))$vcov),
    null = list(tau00 = tau00_0, sigma2 = sigma2_0, icc = tau00_0 / (tau00_0 + sigma2_0),
                loglik = as.numeric(logLik(m0)))
  )
}

fits <- list(
  mixed("ml_random_intercept",
        sprintf("focused_instruction ~ %s + (1 | school_id)", paste(ML_X, collapse = " + ")),
        "ml_data", FALSE,
        "ml_data: complete cases of school_id, focused_instruction and the predictors in teachers.csv"),
  mixed("ml_centered",
        "focused_instruction ~ years_experience + trust_principal + trust_principal_group_mean + (1 | school_id)",
        "centered", FALSE,
        paste("centered: complete cases of school_id, focused_instruction, years_experience, trust_principal;",
              "trust_principal minus its school mean (kept as trust_principal_group_mean),",
              "years_experience minus its mean")),
  mixed("ml_random_slope", "y ~ x + z + (1 + x | group)", "slopes", FALSE, "slopes.csv"),
  mixed("unbalanced_random_slope", "y ~ x + w + (1 + x | group)", "ub", TRUE,
        "ub: complete cases of group, y, x, w in unbalanced.csv"),
  mixed("unbalanced_random_slope_ml", "y ~ x + w + (1 + x | group)", "ub", FALSE,
        "ub: complete cases of group, y, x, w in unbalanced.csv"),
  mixed("unbalanced_centered_ml", "y ~ x + x_group_mean + w + (1 + x | group)", "ub_c", FALSE,
        "ub_c: ub with x minus its group mean (kept as x_group_mean)"),
  mixed("unbalanced_two_slopes", "y ~ x + v + w + (1 + x + v | group)", "ub_v", TRUE,
        "ub_v: complete cases of group, y, x, v, w in unbalanced.csv")
)

# Likelihood-ratio tests: lme4's anova() on polished fits to the same data object. anova
# refits REML fits by ML (refit = TRUE, its default); the ML fits here are polished directly,
# which is what that refit computes. `lmer_default` repeats each test with lmer()'s own REML
# fits and anova's refit, for comparison.
models <- list(
  t0 = "polish(focused_instruction ~ years_experience + (1 | school_id), 'ml_data', REML = FALSE)",
  t1 = "polish(focused_instruction ~ years_experience + trust_principal + (1 | school_id), 'ml_data', REML = FALSE)",
  t2 = sprintf("polish(focused_instruction ~ %s + (1 | school_id), 'ml_data', REML = FALSE)",
               paste(ML_X, collapse = " + ")),
  u_ri = "polish(y ~ x + w + (1 | group), 'ub', REML = FALSE)",
  u_rs = "polish(y ~ x + w + (1 + x | group), 'ub', REML = FALSE)",
  u_ri_reml = "polish(y ~ x + w + (1 | group), 'ub', REML = TRUE)",
  u_rs_reml = "polish(y ~ x + w + (1 + x | group), 'ub', REML = TRUE)",
  u_lm = "lm(y ~ x + w, data = ub)",
  d_t0 = "lmer(focused_instruction ~ years_experience + (1 | school_id), data = ml_data)",
  d_t1 = "lmer(focused_instruction ~ years_experience + trust_principal + (1 | school_id), data = ml_data)",
  d_t2 = sprintf("lmer(focused_instruction ~ %s + (1 | school_id), data = ml_data)",
                 paste(ML_X, collapse = " + ")),
  d_u_ri = "lmer(y ~ x + w + (1 | group), data = ub)",
  d_u_rs = "lmer(y ~ x + w + (1 + x | group), data = ub)"
)
for (name in names(models)) assign(name, run(models[[name]]), envir = globalenv())
lr <- function(name, call_anova, call_default) {
  table <- function(a) list(npar = a$npar, aic = a$AIC, bic = a$BIC, loglik = a$logLik,
                            deviance = a$deviance, chisq = a$Chisq, df = a$Df,
                            p_value = a[["Pr(>Chisq)"]])
  a <- suppressMessages(run(call_anova))
  c(list(name = name, call_anova = call_anova,
         models = lapply(rownames(a), function(r) list(name = r, call = models[[r]]))),
    table(a),
    list(lmer_default = c(list(call_anova = call_default),
                          table(suppressMessages(run(call_default))))))
}
tests <- list(
  lr("fixed_two", "anova(t0, t2)", "anova(d_t0, d_t2)"),
  lr("fixed_three", "anova(t0, t1, t2)", "anova(d_t0, d_t1, d_t2)"),
  lr("random_slope", "anova(u_ri, u_rs)", "anova(d_u_ri, d_u_rs)"),
  lr("random_slope_reml", "anova(u_ri_reml, u_rs_reml, refit = FALSE)",
     "anova(d_u_ri, d_u_rs, refit = FALSE)"),
  lr("random_intercept_vs_lm", "anova(u_ri, u_lm)", "anova(d_u_ri, u_lm)")
)

out <- list(
  meta = list(
    what = "R references for colead.multilevel(reml = False), unbalanced random slopes, colead.compare",
    generated_by = "tests/reference/relate/mixed_ml.R",
    versions = list(r = R.version.string, lme4 = as.character(packageVersion("lme4")),
                    nloptr = as.character(packageVersion("nloptr")),
                    numDeriv = as.character(packageVersion("numDeriv")),
                    jsonlite = as.character(packageVersion("jsonlite")),
                    platform = R.version$platform),
    fits = "polish(): lFormula, mkLmerDevfun, optimizeLmer, Newton steps (numDeriv), mkMerMod",
    data = list(teachers = "teachers.csv", slopes = "slopes.csv", unbalanced = "unbalanced.csv"),
    number_format = "15 significant digits (jsonlite digits = NA); NA -> null"
  ),
  fits = fits,
  tests = tests
)
txt <- toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE)
writeLines(txt, path("mixed_ml.json"), useBytes = TRUE)
cat("wrote", path("mixed_ml.json"), "\n")
