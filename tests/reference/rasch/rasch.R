# Rasch reference values from eRm (and psychotools) for colead's cl.rasch (issue 21).
#
#   Rscript tests/reference/rasch/rasch.R        (from the repository root)
#
# Reads the CSV files beside this script (answers coded from 0, NA missing) and writes
# rasch.json: for each fit, eRm's CML item parameters (eta, beta, thresholds) with standard
# errors, the conditional log-likelihood, person.parameter (MLE) with standard errors,
# itemfit and SepRel, and a hand-written Warm (1989) weighted likelihood estimate per person
# (eRm 1.0-2 has no WLE), computed from eRm's beta parameters.

suppressPackageStartupMessages({
  library(eRm)
  library(psychotools)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", grep("^--file=", args, value = TRUE))
here <- if (length(script)) dirname(normalizePath(script)) else "tests/reference/rasch"

read_items <- function(name) as.matrix(read.csv(file.path(here, name)))

# Category probabilities of one item at theta under eRm's parametrisation:
# P(X = h) proportional to exp(h * theta + beta_h), beta_0 = 0.
cat_probs <- function(theta, b) {
  h <- seq_along(b) - 1
  z <- h * theta + b
  e <- exp(z - max(z))
  e / sum(e)
}

# Sum over the answered items of the mean, variance and third central moment of the score.
moments <- function(theta, betas) {
  out <- c(E = 0, V = 0, M3 = 0)
  for (b in betas) {
    p <- cat_probs(theta, b)
    h <- seq_along(b) - 1
    e <- sum(h * p)
    out <- out + c(e, sum((h - e)^2 * p), sum((h - e)^3 * p))
  }
  out
}

# Warm's (1989) WLE: the root of  r - E(theta) + J(theta) / (2 I(theta)) = 0, where I is the
# test information (sum of variances) and J its derivative (sum of third central moments).
# Cross-checked by maximising the equivalent penalised log-likelihood log L + log(I) / 2.
wle_one <- function(r, betas) {
  f <- function(t) {
    m <- moments(t, betas)
    r - m[["E"]] + m[["M3"]] / (2 * m[["V"]])
  }
  root <- uniroot(f, c(-30, 30), tol = 1e-13, maxiter = 1000)$root
  penalised <- function(t) {
    lognorm <- sum(vapply(betas, function(b) {
      z <- (seq_along(b) - 1) * t + b
      max(z) + log(sum(exp(z - max(z))))
    }, numeric(1)))
    r * t - lognorm + 0.5 * log(moments(t, betas)[["V"]])
  }
  opt <- optimize(penalised, c(-30, 30), maximum = TRUE, tol = 1e-12)$maximum
  if (abs(opt - root) > 1e-5) stop("WLE: root and penalised maximum differ: ", root, " ", opt)
  c(wle = root, wle_se = 1 / sqrt(moments(root, betas)[["V"]]))
}

wle_all <- function(X, betapar) {
  mt <- apply(X, 2, max, na.rm = TRUE)
  blist <- lapply(split(unname(betapar), rep(seq_along(mt), mt)), function(b) c(0, b))
  res <- t(apply(X, 1, function(x) {
    ok <- !is.na(x)
    wle_one(sum(x[ok]), blist[ok])
  }))
  list(wle = unname(res[, "wle"]), wle_se = unname(res[, "wle_se"]))
}

# The thresholds' covariance, built the way eRm's thresholds() builds it.
threshold_cov <- function(fit) {
  indmt <- apply(fit$X, 2L, max, na.rm = TRUE)
  mt <- sequence(indmt)
  sq <- ifelse(mt > 1, -1, 0)
  k <- length(fit$betapar)
  d2 <- diag(k)
  d2[-k, -1L] <- d2[-k, -1L] + diag(sq[-1L])
  T_mat <- t(d2)
  vc.beta <- fit$W %*% solve(fit$hessian) %*% t(fit$W)
  T_mat %*% vc.beta %*% t(T_mat)
}

describe_fit <- function(fit) {
  if (fit$convergence > 3) stop("nlm did not converge: code ", fit$convergence)
  X <- fit$X
  mt <- apply(X, 2, max, na.rm = TRUE)
  item_of <- rep(seq_along(mt), mt)
  th <- thresholds(fit)
  vc_thr <- threshold_cov(fit)
  # item location = mean of its thresholds; its standard error from the same covariance
  A <- t(sapply(seq_along(mt), function(i) (item_of == i) / mt[i]))
  loc_se <- sqrt(diag(A %*% vc_thr %*% t(A)))
  out <- list(
    loglik = fit$loglik, npar = fit$npar, iter = fit$iter, convergence = fit$convergence,
    eta_names = names(fit$etapar), eta = unname(fit$etapar), se_eta = unname(fit$se.eta),
    beta_names = names(fit$betapar), beta = unname(fit$betapar), se_beta = unname(fit$se.beta),
    threshold = unname(th$threshpar), se_threshold = unname(th$se.thresh),
    location = unname(th$threshtable[[1]][, "Location"]), se_location = unname(loc_se)
  )
  if (fit$model == "RSM") {
    # shared steps: thresholds of item 1 minus its location (the same for every item)
    m <- mt[1]
    C <- cbind(diag(m) - 1 / m, matrix(0, m, ncol(vc_thr) - m))
    out$step <- unname(as.vector(C %*% th$threshpar))
    out$se_step <- unname(sqrt(diag(C %*% vc_thr %*% t(C))))
  }
  pp <- person.parameter(fit)
  tt <- pp$theta.table
  se <- unlist(pp$se.theta)
  names(se) <- gsub("NAgroup[0-9]+.", "", names(se))
  interpolated <- tt[["Interpolated"]]
  mle_se <- unname(se[rownames(tt)])
  mle_se[interpolated] <- NA
  out$persons <- list(
    raw_score = unname(rowSums(X, na.rm = TRUE)),
    mle = unname(ifelse(interpolated, NA, tt[["Person Parameter"]])),
    mle_se = mle_se,
    interpolated = unname(interpolated),
    interpolated_value = unname(ifelse(interpolated, tt[["Person Parameter"]], NA))
  )
  out$persons <- c(out$persons, wle_all(X, fit$betapar))
  ifit <- itemfit(pp)
  out$itemfit <- list(
    chisq = unname(ifit$i.fit), df = unname(ifit$i.df),
    outfit_msq = unname(ifit$i.outfitMSQ), infit_msq = unname(ifit$i.infitMSQ),
    outfit_z = unname(ifit$i.outfitZ), infit_z = unname(ifit$i.infitZ)
  )
  sr <- SepRel(pp)
  out$seprel <- list(sep_rel = sr$sep.rel, ssd = sr$SSD.PS, mse = sr$MSE)
  out
}

# eRm fits with nlm at its default tolerances (gradtol 1e-6 on a numerical gradient), which
# leaves item parameters up to 2e-4 from the maximum (shared leadership, PCM; restarting from
# the estimate does not move it). The same eRm likelihood code is run with tighter
# tolerances instead: fitcml's nlm call gets gradtol = 1e-10 and steptol = 1e-12 (it then
# ends with code 1 or 3, "no lower point found", at the maximum).
local({
  f <- eRm:::fitcml
  txt <- deparse(f)
  hit <- grepl("iterlim = 5000L)", txt, fixed = TRUE)
  if (sum(hit) != 1) stop("eRm:::fitcml has changed: cannot tighten nlm")
  txt <- sub("iterlim = 5000L)", "iterlim = 5000L, gradtol = 1e-10, steptol = 1e-12)", txt,
             fixed = TRUE)
  g <- eval(parse(text = txt))
  environment(g) <- environment(f)
  assignInNamespace("fitcml", g, "eRm")
})

# eRm 1.0-2's CML is wrong for the partial-credit model when items have different numbers
# of categories and some answers are missing: fitcml() splits the betas of the items a
# person answered by the first entries of the full item index (mt_ind), so the categories
# are assigned to the wrong items. For that case the item parameters come from
# psychotools::pcmodel (CML over the patterns of missing answers), mapped to eRm's
# parametrisation (beta_ih = -(sum of the item's first h thresholds) + h c, with c such that
# the betas sum to zero) and put into eRm's fit object, so that eRm's thresholds,
# person.parameter, itemfit and SepRel run on the correct item parameters.
psychotools_pcm <- function(X) {
  pt <- pcmodel(X, reltol = 1e-14, maxit = 1000L)
  tp <- threshpar(pt, type = "mode", vcov = TRUE)
  t <- unlist(tp)
  vt <- vcov(tp)
  mt <- apply(X, 2, max, na.rm = TRUE)
  P <- sum(mt)
  C <- matrix(0, P, P)  # cumulative sums within each item
  start <- c(0, cumsum(mt)[-length(mt)])
  for (i in seq_along(mt)) for (h in 1:mt[i]) C[start[i] + h, start[i] + 1:h] <- 1
  hv <- sequence(mt)
  M <- (-diag(P) + hv %*% t(rep(1, P)) / sum(hv)) %*% C
  beta <- as.vector(M %*% t)
  vc_eta <- (M %*% vt %*% t(M))[-1, -1]
  fit <- suppressWarnings(PCM(X))  # the structure (X, X01, W, names); estimates replaced
  wrong_loglik <- fit$loglik
  names(beta) <- names(fit$betapar)
  fit$betapar <- beta
  fit$etapar <- setNames(-beta[-1], names(fit$etapar))
  fit$hessian <- solve(vc_eta)
  fit$se.eta <- sqrt(diag(vc_eta))
  fit$se.beta <- sqrt(diag(fit$W %*% vc_eta %*% t(fit$W)))
  fit$loglik <- as.numeric(logLik(pt))
  fit$iter <- unname(pt$iterations)
  fit$convergence <- pt$code
  list(fit = fit, erm_loglik = wrong_loglik)
}

fits <- list()
inputs <- c("rsm_sim.csv", "shared_leadership.csv", "pcm_sim.csv")
rsm_sim <- read_items("rsm_sim.csv")
sl <- read_items("shared_leadership.csv")
pcm_sim <- read_items("pcm_sim.csv")
fits$rsm_sim_rsm <- describe_fit(RSM(rsm_sim))
fits$rsm_sim_pcm <- describe_fit(PCM(rsm_sim))
# From its default start (all eta 0) nlm diverges on this data set (code 5, a positive
# "log-likelihood" of 1.9e6); from 0.01 it converges, to the maximum sum0 = FALSE finds too.
sl_rsm <- RSM(sl, etaStart = rep(0.01, ncol(sl) - 1 + max(sl, na.rm = TRUE) - 1))
stopifnot(abs(sl_rsm$loglik - RSM(sl, sum0 = FALSE)$loglik) < 1e-6)
fits$shared_leadership_rsm <- describe_fit(sl_rsm)
sl_pcm <- PCM(sl)
fits$shared_leadership_pcm <- describe_fit(sl_pcm)
# psychotools reproduces eRm where eRm is right (same numbers of categories)
check <- psychotools_pcm(sl)$fit
stopifnot(abs(check$loglik - sl_pcm$loglik) < 1e-6,
          max(abs(check$etapar - sl_pcm$etapar)) < 1e-5)
pcm_complete <- pcm_sim[complete.cases(pcm_sim), ]
fits$pcm_sim_complete_pcm <- describe_fit(PCM(pcm_complete))
fixed <- psychotools_pcm(pcm_sim)
fits$pcm_sim_pcm <- describe_fit(fixed$fit)
fits$pcm_sim_pcm$erm_loglik_wrong <- fixed$erm_loglik
fits$pcm_sim_pcm$item_parameters_from <- "psychotools::pcmodel (eRm's fitcml is wrong here)"

meta <- list(
  r = R.version.string,
  eRm = as.character(packageVersion("eRm")),
  psychotools = as.character(packageVersion("psychotools")),
  jsonlite = as.character(packageVersion("jsonlite")),
  input_md5 = as.list(setNames(unname(tools::md5sum(file.path(here, inputs))), inputs)),
  note = paste(
    "eRm fits with nlm (numerical Hessian; gradtol 1e-10, steptol 1e-12 instead of the",
    "defaults); person.parameter gives MLE, interpolated for",
    "extreme scores; wle and wle_se are hand-written (Warm 1989) from eRm's beta;",
    "pcm_sim_pcm: item parameters from psychotools::pcmodel (eRm 1.0-2 is wrong there)."
  )
)
writeLines(toJSON(list(meta = meta, fits = fits), auto_unbox = TRUE, digits = NA,
                  na = "null", pretty = TRUE),
           file.path(here, "rasch.json"))
cat("wrote", file.path(here, "rasch.json"), "\n")
