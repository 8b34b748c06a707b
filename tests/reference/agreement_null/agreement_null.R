# R reference values for colead's rwg_null and rgr_agree (is agreement larger than chance?).
#
#   Rscript tests/reference/agreement_null/agreement_null.R
#
# Runs multilevel's rwg.sim, rwg.j.sim (with and without itemcors) and rgr.agree, and writes
# agreement_null.json next to this script. Every result carries the exact R call (each string
# is run with eval(parse(text = call))). Simulated distributions are stored as tables of their
# distinct values (15 significant digits) and counts; rgr.agree's random-group variances are
# stored whole, so a test can recompute the z value and quantiles from them exactly.
# Deterministic: set.seed before every call. quantile() of an agree.sim stops when no value
# qualifies (the largest value alone holds more than 1 - q of the draws): stored as null.

suppressPackageStartupMessages({
  library(multilevel)
  library(jsonlite)
})
stopifnot(as.character(packageVersion("multilevel")) == "2.7")

script_dir <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg)) dirname(normalizePath(sub("^--file=", "", arg[1]))) else getwd()
})
path <- function(name) file.path(script_dir, name)
run <- function(call) eval(parse(text = call), envir = globalenv())
SEED <- 20260523

data(bh1996)
agree7 <- read.csv(path("../aggregation/scale_scores_agree7.csv"))
# colead's rgr_agree leaves out groups with fewer than min_n = 5 values: the same rows here
agree7 <- agree7[!is.na(agree7$climate7), ]
sizes <- table(agree7$school_id)
agree7_5 <- agree7[agree7$school_id %in% names(sizes)[sizes >= 5], ]
itemcors <- matrix(c(1, .5, .4, .3,
                     .5, 1, .45, .35,
                     .4, .45, 1, .5,
                     .3, .35, .5, 1), 4, 4)

sims <- list(
  list(id = "rwg_g10_a5", call = "rwg.sim(gsize = 10, nresp = 5, nrep = 10000)"),
  list(id = "rwg_g4_a7", call = "rwg.sim(gsize = 4, nresp = 7, nrep = 10000)"),
  list(id = "rwg_g3_a5", call = "rwg.sim(gsize = 3, nresp = 5, nrep = 10000)"),
  list(id = "rwgj_g10_j6_a5", call = "rwg.j.sim(gsize = 10, nitems = 6, nresp = 5, nrep = 10000)"),
  list(id = "rwgj_g8_j4_a5_cor",
       call = "rwg.j.sim(gsize = 8, nitems = 4, nresp = 5, itemcors = itemcors, nrep = 10000)")
)
levels <- c(0.9, 0.95, 0.99)
sim_out <- lapply(sims, function(s) {
  set.seed(SEED)
  res <- run(s$call)
  tab <- table(res$rwg)
  list(id = s$id, call = s$call, gsize = res$gsize, nresp = res$nresp, nitems = res$nitems,
       nrep = length(res$rwg), mean = mean(res$rwg), rwg_95 = res$rwg.95,
       quantile_call = "quantile(res, confint = q) for each level q",
       quantile = sapply(levels, function(q) tryCatch(quantile(res, confint = q)$confint.estimate,
                                                      error = function(e) NA)),
       levels = levels,
       values = as.numeric(names(tab)), counts = as.integer(tab))
})

rgrs <- list(
  list(id = "bh1996_hrs_1000", call = "rgr.agree(bh1996$HRS, bh1996$GRP, 1000)",
       data = "bh1996 (tests/reference/aggregation/bh1996.csv): HRS by GRP"),
  list(id = "bh1996_lead_1000", call = "rgr.agree(bh1996$LEAD, bh1996$GRP, 1000)",
       data = "bh1996: LEAD by GRP"),
  list(id = "bh1996_hrs_10000", call = "rgr.agree(bh1996$HRS, bh1996$GRP, 10000)",
       data = "bh1996: HRS by GRP"),
  list(id = "agree7_climate7_1000",
       call = "rgr.agree(agree7_5$climate7, agree7_5$school_id, 1000)",
       data = paste("tests/reference/aggregation/scale_scores_agree7.csv: climate7 by school_id,",
                    "rows with a score in schools with 5 or more scores"))
)
rgr_out <- lapply(rgrs, function(s) {
  set.seed(SEED)
  res <- run(s$call)
  sm <- summary(res)
  list(id = s$id, call = s$call, data = s$data, n_random_groups = res$NRanGrp,
       random_mean = res$AvRGRVar, random_sd = res$SDRGRVar, real_mean = res$AvGrpVar,
       z = res$zvalue, lower = unname(sm[[2]]), upper = unname(sm[[3]]),
       lower_levels = c(0.005, 0.01, 0.025, 0.05, 0.1),
       upper_levels = c(0.9, 0.95, 0.975, 0.99, 0.995),
       pooled_variance = var(run(sub("rgr.agree\\(([^,]+),.*", "\\1", s$call))),
       random_variances = res$RGRVARS)
})
# only the 1000-group runs keep every random variance (the 10000 run keeps its summary)
rgr_out[[3]]$random_variances <- NULL

out <- list(
  meta = list(r = R.version.string, multilevel = as.character(packageVersion("multilevel")),
              jsonlite = as.character(packageVersion("jsonlite")), seed = SEED,
              agree7_5_groups = length(unique(agree7_5$school_id)),
              agree7_5_rows = nrow(agree7_5)),
  rwg_sim = sim_out,
  rgr_agree = rgr_out
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
           path("agreement_null.json"), useBytes = TRUE)
