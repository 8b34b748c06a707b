# Reference values on psych's bfi items (psychTools::bfi, 2,800 respondents, with missing answers).
# Run from the repository root:  Rscript tests/reference/psychometrics/bfi.R
# Writes bfi.csv (the 25 items, unchanged) and bfi.json.
suppressPackageStartupMessages({library(psych); library(psychTools); library(jsonlite)})
here <- "tests/reference/psychometrics"
items <- psychTools::bfi[, 1:25]
write.csv(items, file.path(here, "bfi.csv"), row.names = FALSE, na = "")
x <- read.csv(file.path(here, "bfi.csv"))
stopifnot(isTRUE(all.equal(x, items, check.attributes = FALSE)))

keys <- list(agree = c("-A1", "A2", "A3", "A4", "A5"), conscientious = c("C1", "C2", "C3", "-C4", "-C5"),
             extraversion = c("-E1", "-E2", "E3", "E4", "E5"), neuroticism = c("N1", "N2", "N3", "N4", "N5"),
             openness = c("O1", "-O2", "O3", "O4", "-O5"))
rev_items <- function(d, k) { for (v in sub("^-", "", k[grepl("^-", k)])) d[[v]] <- 1 + 6 - d[[v]]; d }

out <- list(meta = list(r_version = R.version.string,
                        psych = as.character(packageVersion("psych")),
                        psychTools = as.character(packageVersion("psychTools")),
                        data = "psychTools::bfi[, 1:25], 2800 rows, items on 1..6, NA = missing",
                        reversal = "reversed items: 7 - x (declared bounds 1..6)"))
for (use in c("pairwise", "complete.obs")) {
  for (scale in names(keys)) {
    d <- rev_items(x[, sub("^-", "", keys[[scale]])], keys[[scale]])
    a <- psych::alpha(d, use = use)
    ci <- psych::alpha.ci(a$total$raw_alpha, n.obs = nrow(d), n.var = ncol(d))
    out$alpha[[paste0(scale, "_", sub("\\.", "_", use))]] <- list(
      call = sprintf('psych::alpha(d, use = "%s")', use),
      items = names(d), reversed = sub("^-", "", keys[[scale]][grepl("^-", keys[[scale]])]),
      raw_alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha, g6_smc = a$total$`G6(smc)`,
      average_r = a$total$average_r, ase = a$total$ase, n_rows = nrow(d),
      feldt_lower = ci$lower, feldt_upper = ci$upper,
      r_drop = as.list(setNames(a$item.stats$r.drop, rownames(a$item.stats))),
      alpha_if_dropped = as.list(setNames(a$alpha.drop$raw_alpha, rownames(a$alpha.drop))))
  }
}
s <- psych::scoreItems(keys, x, impute = "none", min = 1, max = 6)
out$score_items <- list(call = 'psych::scoreItems(keys, x, impute = "none", min = 1, max = 6)',
                        alpha = as.list(setNames(as.numeric(s$alpha), colnames(s$alpha))),
                        score_means = as.list(colMeans(s$scores, na.rm = TRUE)),
                        scores_first_10 = as.data.frame(s$scores[1:10, ]))
om <- psych::omega(x, nfactors = 3, fm = "minres", rotate = "oblimin", plot = FALSE)
out$omega <- list(call = 'psych::omega(x, nfactors = 3, fm = "minres", rotate = "oblimin", plot = FALSE)',
                  omega_h = om$omega_h, alpha = om$alpha, omega_tot = om$omega.tot,
                  omega_lim = om$omega.lim)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           file.path(here, "bfi.json"))
