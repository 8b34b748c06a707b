# Reference values for colead.change (tests/test_change.py), made with
#   R 4.2.2, survey 4.1-1, Partiallyoverlapping 2.0 (CRAN)
#   Rscript change.R          (writes waves.csv, roster.csv and change_reference.csv here)
# Four schools, two waves; some teachers answered both (same key). Each method is R's own:
#   welch    t.test(current, previous, var.equal = FALSE)
#   fpc      survey::svymean of each wave with fpc = staff count, se = sqrt(se1^2 + se2^2),
#            Welch-Satterthwaite df from the two fpc'd variances (by hand, survey has none)
#   partover Partiallyoverlapping::Partover.test(x1 = current only, x2 = previous only,
#            x3 = current paired, x4 = previous paired)  (Derrick et al. 2017)
#   paired   t.test(current, previous, paired = TRUE) for the school everyone answered twice
#   paired_fpc  survey::svymean of the paired differences with fpc (same school)
suppressMessages({library(survey); library(Partiallyoverlapping)})
set.seed(20261208)
spec <- data.frame(school_id = c("S1", "S2", "S3", "S4"),
                   n_prev = c(12, 20, 8, 16), n_cur = c(9, 25, 7, 16),
                   n_pair = c(6, 15, 5, 16), size_prev = c(18, 26, 10, 20),
                   size_cur = c(15, 30, 11, 20), shift = c(0.4, -0.3, 0, 0.2))
rows <- list()
for (i in seq_len(nrow(spec))) {
  s <- spec[i, ]
  k <- s$n_pair
  latent <- rnorm(k)
  prev_p <- 3.5 + 0.8 * latent + rnorm(k, 0, 0.5)
  cur_p <- 3.5 + s$shift + 0.8 * latent + rnorm(k, 0, 0.5)
  prev_u <- 3.5 + rnorm(s$n_prev - k, 0, 0.95)
  cur_u <- 3.5 + s$shift + rnorm(s$n_cur - k, 0, 0.95)
  keys <- sprintf("%s-k%02d", s$school_id, seq_len(k))
  rows[[length(rows) + 1]] <- data.frame(
    wave = c(rep("previous", s$n_prev), rep("current", s$n_cur)),
    school_id = s$school_id,
    key = c(keys, rep(NA, s$n_prev - k), keys, rep(NA, s$n_cur - k)),
    score = c(prev_p, prev_u, cur_p, cur_u))
}
waves <- do.call(rbind, rows)
roster <- rbind(data.frame(wave = "previous", school_id = spec$school_id, size = spec$size_prev),
                data.frame(wave = "current", school_id = spec$school_id, size = spec$size_cur))
write.csv(waves, "waves.csv", row.names = FALSE, na = "")
write.csv(roster, "roster.csv", row.names = FALSE)

out <- list()
add <- function(school, method, est, se, df, p, lo, hi) {
  out[[length(out) + 1]] <<- data.frame(school_id = school, method = method, estimate = est,
    se = se, df = df, p_value = p, ci_low = lo, ci_high = hi)
}
for (s in spec$school_id) {
  d <- waves[waves$school_id == s, ]
  cur <- d[d$wave == "current", ]; prev <- d[d$wave == "previous", ]
  w <- t.test(cur$score, prev$score, var.equal = FALSE)
  add(s, "welch", unname(w$estimate[1] - w$estimate[2]), w$stderr, unname(w$parameter),
      w$p.value, w$conf.int[1], w$conf.int[2])
  # fpc: survey's standard error of each wave's mean
  se_of <- function(part, wave) {
    part$N <- roster$size[roster$wave == wave & roster$school_id == s]
    des <- svydesign(ids = ~1, fpc = ~N, data = part)
    unname(SE(svymean(~score, des)))
  }
  se1 <- se_of(cur, "current"); se2 <- se_of(prev, "previous")
  v1 <- se1^2; v2 <- se2^2
  est <- mean(cur$score) - mean(prev$score)
  se <- sqrt(v1 + v2)
  df <- (v1 + v2)^2 / (v1^2 / (nrow(cur) - 1) + v2^2 / (nrow(prev) - 1))
  q <- qt(0.975, df)
  add(s, "fpc", est, se, df, 2 * pt(-abs(est / se), df), est - q * se, est + q * se)
  paired <- intersect(cur$key[!is.na(cur$key)], prev$key[!is.na(prev$key)])
  x3 <- cur$score[match(paired, cur$key)]; x4 <- prev$score[match(paired, prev$key)]
  x1 <- cur$score[is.na(cur$key)]; x2 <- prev$score[is.na(prev$key)]
  if (length(x1) + length(x2) > 0) {
    po <- Partover.test(x1, x2, x3, x4, var.equal = FALSE, conf.level = 0.95)
    add(s, "partover", po$estimate, po$estimate / po$statistic, po$parameter, po$p.value,
        po$conf.int[1], po$conf.int[2])
  } else {
    pt_ <- t.test(x3, x4, paired = TRUE)
    add(s, "paired", unname(pt_$estimate), pt_$stderr, unname(pt_$parameter), pt_$p.value,
        pt_$conf.int[1], pt_$conf.int[2])
    diffs <- data.frame(d = x3 - x4, N = roster$size[roster$wave == "current" &
                                                       roster$school_id == s])
    m <- svymean(~d, svydesign(ids = ~1, fpc = ~N, data = diffs))
    se <- unname(SE(m)); est <- unname(coef(m)); df <- length(x3) - 1; q <- qt(0.975, df)
    add(s, "paired_fpc", est, se, df, 2 * pt(-abs(est / se), df), est - q * se, est + q * se)
  }
}
write.csv(do.call(rbind, out), "change_reference.csv", row.names = FALSE)
