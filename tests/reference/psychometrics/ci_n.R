# R reference values for alpha(ci_n = "complete") (issue 23): Feldt's interval on the rows that
# answered every item, psych::alpha.ci(alpha, n.obs = complete rows, n.var = k), beside
# psych::alpha's own interval on every row (its default, colead's ci_n = "all").
#
#   Rscript tests/reference/psychometrics/ci_n.R
#
# Reads teachers.csv and keys.csv (reverse-keyed items turned around by min + max - x) and
# writes ci_n.json next to this script, every value with 15 significant digits beside its call.

suppressPackageStartupMessages({
  library(psych)
  library(jsonlite)
})
script_dir <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg)) dirname(normalizePath(sub("^--file=", "", arg[1]))) else getwd()
})
path <- function(name) file.path(script_dir, name)

teachers <- read.csv(path("teachers.csv"))
keys <- read.csv(path("keys.csv"))
out <- list()
for (s in unique(keys$scale)) {
  k <- keys[keys$scale == s, ]
  x <- teachers[, k$item]
  for (i in which(k$key < 0)) x[[k$item[i]]] <- k$min[i] + k$max[i] - x[[k$item[i]]]
  n_complete <- sum(complete.cases(x))
  for (use in c("pairwise", "complete.obs")) {
    a <- psych::alpha(x, use = use, check.keys = FALSE)
    raw <- a$total$raw_alpha
    all_rows <- psych::alpha.ci(raw, n.obs = nrow(x), n.var = ncol(x))
    complete <- psych::alpha.ci(raw, n.obs = n_complete, n.var = ncol(x))
    out[[length(out) + 1]] <- list(
      scale = s, use = use, items = k$item, n_rows = nrow(x), n_complete = n_complete,
      call = sprintf("psych::alpha(x, use = \"%s\", check.keys = FALSE)", use),
      raw_alpha = raw, feldt_psych = list(lower = a$feldt$lower.ci[[1]], upper = a$feldt$upper.ci[[1]]),
      call_all = "psych::alpha.ci(raw_alpha, n.obs = nrow(x), n.var = ncol(x))",
      feldt_all = list(lower = all_rows$lower.ci, upper = all_rows$upper.ci),
      call_complete = "psych::alpha.ci(raw_alpha, n.obs = n_complete, n.var = ncol(x))",
      feldt_complete = list(lower = complete$lower.ci, upper = complete$upper.ci),
      ase_psych = a$total$ase,
      ase_complete_by_hand = a$total$ase * sqrt(nrow(x) / n_complete),
      ase_note = "psych's ase is sqrt(Q / nrow); on the complete rows it is ase * sqrt(nrow / n_complete)"
    )
  }
}
meta <- list(r = R.version.string, psych = as.character(packageVersion("psych")),
             jsonlite = as.character(packageVersion("jsonlite")))
writeLines(toJSON(list(meta = meta, cases = out), digits = NA, auto_unbox = TRUE, pretty = TRUE),
           path("ci_n.json"), useBytes = TRUE)
