# psych on a singular correlation matrix: one item is an exact combination of two others.
# Run from the repository root:  Rscript tests/reference/psychometrics/singular.R
# Reads holzinger_swineford_1939.csv, writes singular.json. psych inverts R with Pinv (singular
# values below sqrt(eps) of the largest dropped), so its smc and G6 are defined here although
# R has no inverse; colead must give them whatever the rounding of the dependent column.
suppressPackageStartupMessages({library(psych); library(jsonlite)})
here <- "tests/reference/psychometrics"
hs <- read.csv(file.path(here, "holzinger_swineford_1939.csv"))
d <- data.frame(x1 = hs$x1, x2 = hs$x2, dep = 2 * hs$x1 + hs$x2, x4 = hs$x4, x5 = hs$x5)
r <- cor(d)
a <- suppressWarnings(psych::alpha(d))
out <- list(
  meta = list(r_version = R.version.string, psych = as.character(packageVersion("psych")),
              data = "holzinger_swineford_1939.csv: x1, x2, dep = 2 * x1 + x2, x4, x5"),
  items = names(d),
  smc = unname(psych::smc(r)),
  g6_smc = a$total$`G6(smc)`,
  raw_alpha = a$total$raw_alpha
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(here, "singular.json"))
