# R reference values for colead's teacher-to-school aggregation and agreement indices.
#
#   /work/venv/bin/python tests/reference/aggregation/make_data.py
#   Rscript tests/reference/aggregation/aggregation.R
#
# Reads the CSVs made by make_data.py (and exports multilevel's bh1996, lq2002 and bhr2000 to
# CSV first), computes ICC(1)/ICC(2) (aov + multilevel::ICC1/ICC2, multilevel::mult.icc, lme4,
# and the exact REML optimum), rwg, rwg(j), r*wg(j), awg and AD with multilevel (plus rwg(j) under
# the item-wise missing-data rule, by hand), and writes
#   icc.json, agreement.json, multilevel_oracles.json, scale_scores_*.csv
# next to this script. Every value is printed with 15 significant digits; every multilevel, nlme
# and lme4 value is stored next to the exact R call that produced it: each call string is run
# with eval(parse(text = call)). Values computed by hand are labelled as such.
# JSON: NA -> null, NaN -> "NaN", +/-Inf -> "Inf"/"-Inf".

# R's default. It matters: mult.icc reads tau00 from VarCorr(lme), a CHARACTER matrix formatted with
# getOption("digits") significant digits, so its ICC1/ICC2 change with this option.
options(digits = 7)

suppressPackageStartupMessages({
  library(multilevel)   # also attaches nlme and MASS
  library(lme4)
  library(jsonlite)
})

script_dir <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg)) dirname(normalizePath(sub("^--file=", "", arg[1]))) else getwd()
})
path <- function(name) file.path(script_dir, name)

run <- function(call) eval(parse(text = call), envir = globalenv())

# R object -> data set key (and file) used in the JSON.
dataset_key <- c(teacher = "colead_teacher", teacher_scores = "colead_teacher_scores",
                 agree7 = "agree7", agree7_scores = "agree7_scores", icc_edge = "icc_edge")

# JSON scalar: keep NA (-> null), spell out NaN and infinities.
enc <- function(v) {
  if (length(v) != 1) return(lapply(v, enc))
  if (is.numeric(v)) {
    if (is.nan(v)) return("NaN")
    if (is.infinite(v)) return(if (v > 0) "Inf" else "-Inf")
  }
  v
}

write_json_file <- function(x, name) {
  txt <- toJSON(x, digits = NA, auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE)
  # One line per {group, n, value} record keeps the files short and diffable.
  txt <- gsub('\\{\n\\s*("group": "[^"]*"),\n\\s*("n": [^,\n]+),\n\\s*("value": [^\n]+)\n\\s*\\}',
              "{\\1, \\2, \\3}", txt, perl = TRUE)
  writeLines(txt, path(name), useBytes = TRUE)
}

versions <- list(
  r = R.version.string,
  multilevel = as.character(packageVersion("multilevel")),
  nlme = as.character(packageVersion("nlme")),
  lme4 = as.character(packageVersion("lme4")),
  psych = if (requireNamespace("psych", quietly = TRUE)) as.character(packageVersion("psych")) else NA,
  jsonlite = as.character(packageVersion("jsonlite")),
  platform = R.version$platform
)
stopifnot(versions$multilevel == "2.7")

meta <- function(what) list(
  what = what,
  generated_by = "tests/reference/aggregation/aggregation.R",
  versions = versions,
  number_format = "15 significant digits (jsonlite digits = NA); NA -> null, NaN -> \"NaN\", Inf -> \"Inf\"",
  group_order = "as R returns it (split() on the character group id, sorted in R's collation); match records by group, not by position"
)

# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------
data(bh1996, package = "multilevel")
data(lq2002, package = "multilevel")
data(bhr2000, package = "multilevel")
export_cols <- list(
  bh1996 = c("GRP", "HRS", "LEAD", "COHES", "WBEING"),
  lq2002 = c("COMPID", "SUB", sprintf("LEAD%02d", 1:11), sprintf("TSIG%02d", 1:3),
             sprintf("HOSTIL%02d", 1:5), "LEAD", "TSIG", "HOSTILE"),
  bhr2000 = names(bhr2000)
)
roundtrip <- list()
for (nm in names(export_cols)) {
  src <- get(nm)[, export_cols[[nm]]]
  out <- src
  out[] <- lapply(src, function(v) format(v, digits = 15, trim = TRUE, scientific = FALSE))
  write.csv(out, path(paste0(nm, ".csv")), row.names = FALSE, quote = FALSE)
  back <- read.csv(path(paste0(nm, ".csv")))
  roundtrip[[nm]] <- max(abs(as.matrix(back) - as.matrix(src)))
}
# The oracle values below are computed from the CSVs, as a Python test would read them.
bh1996 <- read.csv(path("bh1996.csv"))
lq2002 <- read.csv(path("lq2002.csv"))
bhr2000 <- read.csv(path("bhr2000.csv"))

teacher <- read.csv(path("colead_teacher.csv"), stringsAsFactors = FALSE)
agree7 <- read.csv(path("agree7.csv"), stringsAsFactors = FALSE)
icc_edge <- read.csv(path("icc_edge.csv"), stringsAsFactors = FALSE)
item_sets <- fromJSON(path("item_sets.json"), simplifyVector = TRUE)$datasets

# items$<set>: the item names of each set (used inside the call strings).
items <- c(lapply(item_sets$colead_teacher, `[[`, "items"), lapply(item_sets$agree7, `[[`, "items"))
set_spec <- c(item_sets$colead_teacher, item_sets$agree7)
set_data <- c(setNames(rep("teacher", length(item_sets$colead_teacher)), names(item_sets$colead_teacher)),
              setNames(rep("agree7", length(item_sets$agree7)), names(item_sets$agree7)))

# Scale score: mean of the answered items after reversal (min + max - x), NA when fewer than
# min_answered items are answered.
score_sets <- function(d, sets) {
  out <- data.frame(respondent_id = d$respondent_id, school_id = d$school_id, stringsAsFactors = FALSE)
  for (s in names(sets)) {
    spec <- sets[[s]]
    m <- as.matrix(d[, spec$items])
    rev <- which(spec$reverse)
    if (length(rev)) m[, rev] <- spec$min + spec$max - m[, rev]
    answered <- rowSums(!is.na(m))
    sc <- rowMeans(m, na.rm = TRUE)
    sc[answered < spec$min_answered] <- NA
    out[[s]] <- sc
  }
  out
}
teacher_scores <- score_sets(teacher, item_sets$colead_teacher)
agree7_scores <- score_sets(agree7, item_sets$agree7)
score_files <- c(teacher_scores = "scale_scores_colead_teacher.csv", agree7_scores = "scale_scores_agree7.csv")
for (nm in names(score_files)) {
  d <- get(nm)
  d[] <- lapply(d, function(v) if (is.numeric(v)) ifelse(is.na(v), "", format(v, digits = 15, trim = TRUE)) else v)
  write.csv(d, path(score_files[[nm]]), row.names = FALSE, quote = FALSE)
  # Everything below uses the scores as written (15 significant digits), as a Python test reads them.
  assign(nm, read.csv(path(score_files[[nm]]), stringsAsFactors = FALSE))
}

dataset_info <- list(
  colead_teacher = list(file = "colead_teacher.csv", r_object = "teacher", group = "school_id",
                        n_rows = nrow(teacher), n_groups = length(unique(teacher$school_id))),
  colead_teacher_scores = list(file = "scale_scores_colead_teacher.csv", r_object = "teacher_scores",
                               group = "school_id", n_rows = nrow(teacher_scores),
                               note = "scale scores written by this script (see item_sets.json for the rule)"),
  agree7 = list(file = "agree7.csv", r_object = "agree7", group = "school_id",
                n_rows = nrow(agree7), n_groups = length(unique(agree7$school_id))),
  agree7_scores = list(file = "scale_scores_agree7.csv", r_object = "agree7_scores", group = "school_id",
                       n_rows = nrow(agree7_scores)),
  icc_edge = list(file = "icc_edge.csv", r_object = "icc_edge", group = "group",
                  n_rows = nrow(icc_edge), n_groups = length(unique(icc_edge$group)))
)

# ---------------------------------------------------------------------------------------------
# ICC
# ---------------------------------------------------------------------------------------------
# Exact REML for y_ij = mu + u_j + e_ij: with lambda = tau00 / sigma2, w_j = n_j / (1 + n_j lambda),
# RSS(lambda) = sum_j [SSW_j + w_j (ybar_j - mu_hat)^2], sigma2_hat = RSS / (N - 1) and
# REML loglik = -1/2 [(N-1) log(2 pi) + (N-1) log sigma2_hat + sum_j log(1 + n_j lambda)
#                      + log(sum_j w_j) + (N - 1)], maximised over lambda >= 0.
reml_profile <- function(y, g) {
  ok <- !is.na(y)
  y <- y[ok]; g <- g[ok]
  nj <- as.vector(table(g)); ybar <- as.vector(tapply(y, g, mean))
  ssw <- sum(tapply(y, g, function(v) sum((v - mean(v))^2)))
  N <- length(y)
  parts <- function(lambda) {
    w <- nj / (1 + nj * lambda)
    mu <- sum(w * ybar) / sum(w)
    rss <- ssw + sum(w * (ybar - mu)^2)
    list(w = w, mu = mu, rss = rss)
  }
  loglik <- function(lambda) {
    p <- parts(lambda); s2 <- p$rss / (N - 1)
    ll <- -0.5 * ((N - 1) * log(2 * pi) + (N - 1) * log(s2) + sum(log(1 + nj * lambda)) + log(sum(p$w)) + (N - 1))
    list(loglik = ll, sigma2 = s2, mu = p$mu)
  }
  # d loglik / d lambda (dw_j/dlambda = -w_j^2; mu minimises the weighted sum of squares).
  score <- function(lambda) {
    p <- parts(lambda); W <- sum(p$w)
    -0.5 * (-(N - 1) * sum(p$w^2 * (ybar - p$mu)^2) / p$rss + W - sum(p$w^2) / W)
  }
  list(loglik = loglik, score = score)
}
# lambda: root of the score (uniroot, tol 1e-15), 0 when the score is <= 0 at 0; checked against a
# direct maximisation with optimize().
reml_exact <- function(y, g) {
  f <- reml_profile(y, g)
  if (f$score(0) <= 0) {
    lam <- 0
  } else {
    upper <- 1
    while (f$score(upper) > 0) upper <- upper * 2
    lam <- uniroot(f$score, c(0, upper), tol = 1e-15, maxiter = 10000)$root
  }
  obj <- function(l) -f$loglik(l)$loglik
  opt <- optimize(obj, c(0, max(1, 4 * lam)), tol = 1e-12)$minimum
  stopifnot(abs(opt / (1 + opt) - lam / (1 + lam)) < 1e-6)
  r <- f$loglik(lam)
  list(lambda = lam, tau00 = lam * r$sigma2, sigma2 = r$sigma2, intercept = r$mu,
       icc1 = lam / (1 + lam), reml_loglik = r$loglik, score_at_estimate = f$score(lam),
       f = function(l) f$loglik(l))
}

icc_cases <- list(
  # dataset object, variable, group column, kind
  list("teacher_scores", names(item_sets$colead_teacher), "school_id", "scale score"),
  list("agree7_scores", "climate7", "school_id", "scale score"),
  list("teacher", c("sl1", "sl4", "tp1", "fi1", "rd1", "inf_teachers_budget"), "school_id", "single item (raw, not reversed)"),
  list("agree7", "c4", "school_id", "single item (raw, not reversed)"),
  list("icc_edge", c("value_null", "value_strong"), "group", "constructed variable")
)

anova_out <- list(); nlme_out <- list(); lme4_out <- list(); exact_out <- list()
for (case in icc_cases) {
  dname <- case[[1]]; vars <- case[[2]]; gcol <- case[[3]]; kind <- case[[4]]
  d <- get(dname)
  for (v in vars) {
    aov_call <- sprintf("aov(%s ~ as.factor(%s), data = %s)", v, gcol, dname)
    fit <- run(aov_call)
    tab <- summary(fit)[[1]]
    icc1_call <- sprintf("ICC1(%s)", aov_call)
    icc2_call <- sprintf("ICC2(%s)", aov_call)
    icc1 <- run(icc1_call); icc2 <- run(icc2_call)
    y <- d[[v]]; g <- d[[gcol]]
    ok <- !is.na(y)
    nj <- as.vector(table(g[ok]))
    N <- sum(nj); G <- length(nj)
    n0 <- (N - sum(nj^2) / N) / (G - 1)
    msb <- tab[1, 3]; msw <- tab[2, 3]
    anova_out[[length(anova_out) + 1]] <- list(
      dataset = dataset_key[[dname]], variable = v, kind = kind,
      call_aov = aov_call, call_icc1 = icc1_call, call_icc2 = icc2_call,
      n = N, n_groups = G, n_missing = sum(!ok),
      df_between = tab[1, 1], df_within = tab[2, 1],
      ss_between = tab[1, 2], ss_within = tab[2, 2],
      ms_between = msb, ms_within = msw,
      f = tab[1, 4], p_value = tab[1, 5],
      mean_group_size = (tab[2, 1] + tab[1, 1] + 1) / (tab[1, 1] + 1),
      icc1 = enc(icc1), icc2 = enc(icc2),
      n0_group_size = n0,
      icc1_with_n0 = (msb - msw) / (msb + (n0 - 1) * msw),
      icc1_with_n0_note = "by hand, NOT multilevel: ICC1 with n0 = (N - sum n_j^2 / N) / (G - 1) instead of N / G"
    )

    # nlme, exactly as mult.icc fits it (multilevel 2.7 source: control = list(opt = "optim")).
    lme_call <- sprintf("lme(%s ~ 1, random = ~1 | %s, data = %s, na.action = na.omit, control = list(opt = \"optim\"))",
                        v, gcol, dname)
    m <- run(lme_call)
    tau <- as.numeric(VarCorr(m)[, 1][1]); s2 <- m$sigma^2   # as mult.icc reads it (7 digits)
    tau_full <- as.numeric(pdMatrix(m$modelStruct$reStruct)[[1]]) * s2
    # mult.icc on every variable of the case at once (as a user would call it). multilevel 2.7's
    # mult.icc fails on a one-column data frame (names(x[, 1:1]) is NULL), so a single variable
    # is passed twice and the first row is used.
    case_vars <- if (length(vars) > 1) vars else c(vars, vars)
    mi_call <- sprintf("mult.icc(%s[, c(%s)], %s$%s)", dname,
                       paste(sprintf("\"%s\"", case_vars), collapse = ", "), dname, gcol)
    mi <- run(mi_call)[match(v, case_vars), ]
    gsize_all <- mean(as.vector(table(g)))
    icc1_nlme <- tau / (tau + s2)
    nlme_out[[length(nlme_out) + 1]] <- list(
      dataset = dataset_key[[dname]], variable = v, kind = kind,
      call = mi_call, icc1 = mi$ICC1, icc2 = mi$ICC2,
      mean_group_size_used = gsize_all,
      mean_group_size_used_note = "mult.icc: mean(aggregate(grpid, list(grpid), length)[, 2]) counts every row, including rows whose value is NA",
      icc2_with_nonmissing_group_size = (N / G) * icc1_nlme / (1 + (N / G - 1) * icc1_nlme),
      icc2_with_nonmissing_group_size_note = "by hand, NOT multilevel: same ICC1, k = N/G of the non-missing values",
      call_lme = lme_call,
      tau00_as_read_by_mult_icc = tau,
      tau00_as_read_by_mult_icc_note = "as.numeric(VarCorr(fit)[, 1][1]): VarCorr.lme returns text with getOption('digits') = 7 significant digits",
      tau00_full_precision = tau_full,
      sigma2 = s2, intercept = as.numeric(fixef(m)),
      reml_loglik = as.numeric(logLik(m, REML = TRUE)),
      icc1_from_components = icc1_nlme,
      icc1_full_precision = tau_full / (tau_full + s2)
    )

    lmer_call <- sprintf("lmer(%s ~ 1 + (1 | %s), data = %s, REML = TRUE)", v, gcol, dname)
    fm <- suppressMessages(run(lmer_call))
    vc <- as.data.frame(VarCorr(fm))
    tau4 <- vc$vcov[vc$grp == gcol]; s24 <- vc$vcov[vc$grp == "Residual"]
    lme4_out[[length(lme4_out) + 1]] <- list(
      dataset = dataset_key[[dname]], variable = v, kind = kind, call = lmer_call,
      tau00 = tau4, sigma2 = s24, intercept = as.numeric(fixef(fm)),
      icc1 = tau4 / (tau4 + s24), is_singular = isSingular(fm),
      reml_criterion = as.numeric(REMLcrit(fm)),
      optimizer = fm@optinfo$optimizer
    )

    ex <- reml_exact(y, g)
    exact_out[[length(exact_out) + 1]] <- list(
      dataset = dataset_key[[dname]], variable = v, kind = kind,
      method = "root of the analytic score of the profiled REML log-likelihood in lambda = tau00/sigma2 >= 0 (uniroot, tol 1e-15; lambda = 0 when the score at 0 is <= 0); formulas in aggregation.R",
      lambda = ex$lambda, tau00 = ex$tau00, sigma2 = ex$sigma2, intercept = ex$intercept,
      icc1 = ex$icc1, reml_loglik = ex$reml_loglik, score_at_estimate = ex$score_at_estimate,
      reml_loglik_at_nlme_estimate = ex$f(tau_full / s2)$loglik,
      reml_loglik_at_lme4_estimate = ex$f(tau4 / s24)$loglik,
      icc1_minus_nlme = ex$icc1 - icc1_nlme,
      icc1_minus_nlme_full_precision = ex$icc1 - tau_full / (tau_full + s2),
      icc1_minus_lme4 = ex$icc1 - tau4 / (tau4 + s24)
    )
  }
}

write_json_file(list(
  meta = meta("ICC(1)/ICC(2): one-way ANOVA (multilevel::ICC1/ICC2), mixed model (multilevel::mult.icc, nlme), lme4, exact REML"),
  datasets = dataset_info,
  item_sets = set_spec,
  formulas = list(
    icc1_anova = "(MSB - MSW) / (MSB + (k - 1) MSW), k = N / G from the aov degrees of freedom: (df_within + df_between + 1) / (df_between + 1); aov drops rows whose value is NA",
    icc2_anova = "(MSB - MSW) / MSB",
    mult_icc = "lme(DV ~ 1, random = ~1 | grpid, na.action = na.omit, control = list(opt = 'optim')) (REML); ICC1 = tau00 / (tau00 + sigma2); ICC2 = k ICC1 / (1 + (k - 1) ICC1) with k = mean number of ROWS per group, NA values included"
  ),
  anova = anova_out,
  mult_icc_nlme = nlme_out,
  lme4 = lme4_out,
  reml_exact = exact_out
), "icc.json")

# ---------------------------------------------------------------------------------------------
# Agreement
# ---------------------------------------------------------------------------------------------
# Null distributions. Uniform: (A^2 - 1) / 12. Skewed: LeBreton & Senter (2008), as tabulated in
# LeBreton's WGA package (github james-lebreton/WGA, R/RWG.R and R/RWGJ.R, table null.var).
null_table <- data.frame(
  points = c(5, 6, 7),
  uniform_formula = c((5^2 - 1) / 12, (6^2 - 1) / 12, (7^2 - 1) / 12),
  uniform_rounded = c(2.00, 2.92, 4.00),
  slight_skew = c(1.34, 1.85, 2.90),
  moderate_skew = c(0.90, 1.26, 2.14),
  heavy_skew = c(0.44, 0.69, 1.39),
  triangular = c(1.32, 1.45, 2.10),
  normal = c(1.04, 1.25, 1.40)
)
# The 5-point skewed values are the variances of these response distributions (proportions of
# answers 1..5); they reproduce 1.34, 0.90 and 0.44 exactly.
skew5 <- list(slight_skew = c(.05, .15, .20, .35, .25), moderate_skew = c(0, .10, .15, .40, .35),
              heavy_skew = c(0, 0, .10, .40, .50))
skew5_check <- lapply(names(skew5), function(nm) {
  p <- skew5[[nm]]; x <- 1:5
  list(null = nm, proportions_1_to_5 = p, variance = sum(p * x^2) - sum(p * x)^2)
})

uniform_expr <- function(points) sprintf("(%d^2 - 1) / 12", points)
nulls_for <- function(points, with_skew) {
  out <- list(list(name = "uniform", expr = uniform_expr(points)))
  if (with_skew) {
    row <- null_table[null_table$points == points, ]
    out <- c(out, list(list(name = "slight_skew", expr = format(row$slight_skew)),
                       list(name = "moderate_skew", expr = format(row$moderate_skew))))
  }
  out
}

groups_of <- function(dname) {
  d <- get(dname)
  sort(unique(as.character(d$school_id)))
}

records <- function(grp, n, value) {
  lapply(seq_along(grp), function(i) list(group = as.character(grp[i]), n = as.integer(n[i]), value = enc(value[i])))
}
summarise <- function(v) {
  v <- as.numeric(v); ok <- v[!is.na(v)]
  list(n_groups = length(v), n_na = sum(is.na(v)), n_nan = sum(is.nan(v)),
       mean = if (length(ok)) mean(ok) else NA, median = if (length(ok)) median(ok) else NA,
       min = if (length(ok)) min(ok) else NA, max = if (length(ok)) max(ok) else NA)
}

# Hand-made within-group item variances (used for truncation flags and the item-wise rule).
group_item_vars <- function(d, its, listwise) {
  x <- d[, its, drop = FALSE]
  keep <- if (listwise) complete.cases(x) else rowSums(!is.na(x)) > 0
  x <- x[keep, , drop = FALSE]; g <- d$school_id[keep]
  lapply(split(x, g), function(q) list(
    n = nrow(q),
    n_per_item = colSums(!is.na(q)),
    vars = sapply(q, function(col) if (sum(!is.na(col)) > 1) var(col, na.rm = TRUE) else NA)
  ))
}

rwg_single_items <- c(items$shared_leadership, items$trust_principal, items$reflective_dialogue,
                      items$focused_instruction, items$influence_teachers, items$influence_principal,
                      items$climate7)
item_set_of <- function(item) names(items)[sapply(items, function(v) item %in% v)][1]

rwg_out <- list(); rwgj_out <- list(); rwgj_itemwise_out <- list(); lindell_out <- list(); lindell_itemwise_out <- list()
awg_out <- list(); ad_out <- list()

for (it in rwg_single_items) {
  s <- item_set_of(it); spec <- set_spec[[s]]; dname <- set_data[[s]]; d <- get(dname)
  with_skew <- spec$points != 6 || s == "shared_leadership"
  for (nl in nulls_for(spec$points, with_skew)) {
    call <- sprintf("rwg(%s$%s, %s$school_id, ranvar = %s)", dname, it, dname, nl$expr)
    r <- run(call)
    ranvar <- run(nl$expr)
    gv <- tapply(d[[it]], d$school_id, var, na.rm = TRUE)
    trunc <- names(gv)[!is.na(gv) & gv > ranvar]
    rwg_out[[length(rwg_out) + 1]] <- list(
      dataset = dataset_key[[dname]], kind = "single item", variable = it, item_set = s, points = spec$points,
      null_distribution = nl$name, ranvar = ranvar, call = call,
      groups = records(r$grpid, r$gsize, r$rwg),
      groups_absent = setdiff(groups_of(dname), r$grpid),
      truncated_groups = trunc,
      summary = summarise(r$rwg))
  }
  range_call <- sprintf("c(%d, %d)", spec$min, spec$max)
  call <- sprintf("awg(%s$%s, %s$school_id, range = %s)", dname, it, dname, range_call)
  r <- run(call)
  awg_out[[length(awg_out) + 1]] <- list(
    dataset = dataset_key[[dname]], kind = "single item", variable = it, item_set = s, points = spec$points, range = c(spec$min, spec$max),
    call = call, groups = records(r$grpid, r$nraters, r$a.wg),
    groups_absent = setdiff(groups_of(dname), r$grpid), summary = summarise(r$a.wg))
  for (type in c("mean", "median")) {
    call <- sprintf("ad.m(%s$%s, %s$school_id, type = \"%s\")", dname, it, dname, type)
    r <- run(call)
    ad_out[[length(ad_out) + 1]] <- list(
      dataset = dataset_key[[dname]], kind = "single item", variable = it, item_set = s, points = spec$points, type = type, call = call,
      groups = records(r$grpid, r$gsize, r$AD.M),
      groups_absent = setdiff(groups_of(dname), r$grpid), summary = summarise(r$AD.M))
  }
}

itemwise_note <- paste(
  "BY HAND in R, NOT a multilevel 2.7 function: the item-wise (listwise = FALSE) rule that peers.md",
  "section 3 describes for multilevel 2.8. Per group, every row with at least one answered item of",
  "the set is kept; each item's variance uses that item's answered values (var(na.rm = TRUE));",
  "S = mean of the item variances; value NA when any item has fewer than 2 answers in the group",
  "(or the group has fewer than 2 rows); then the same truncation and formula as rwg.j",
  "(r*wg(j): 1 - S / ranvar, no truncation). n = rows kept. The multilevel 2.8 source was not",
  "available here to confirm the edge rules (an item with < 2 answers).")

for (s in names(items)) {
  spec <- set_spec[[s]]; dname <- set_data[[s]]; d <- get(dname)
  J <- length(spec$items)
  with_skew <- spec$points != 6 || s %in% c("shared_leadership", "trust_principal")
  x_expr <- sprintf("%s[, items$%s]", dname, s)
  lw <- group_item_vars(d, spec$items, listwise = TRUE)
  iw <- group_item_vars(d, spec$items, listwise = FALSE)
  for (nl in nulls_for(spec$points, with_skew)) {
    ranvar <- run(nl$expr)
    call <- sprintf("rwg.j(%s, %s$school_id, ranvar = %s)", x_expr, dname, nl$expr)
    r <- run(call)
    trunc <- names(lw)[sapply(lw, function(q) q$n > 1 && mean(q$vars) > ranvar)]
    rwgj_out[[length(rwgj_out) + 1]] <- list(
      dataset = dataset_key[[dname]], item_set = s, items = spec$items, n_items = J, points = spec$points,
      null_distribution = nl$name, ranvar = ranvar,
      missing_rule = "listwise: multilevel 2.7 drops every row with an NA in any item (na.exclude) before splitting",
      call = call, groups = records(r$grpid, r$gsize, r$rwg.j),
      groups_absent = setdiff(groups_of(dname), r$grpid), truncated_groups = trunc,
      summary = summarise(r$rwg.j))

    call <- sprintf("rwg.j.lindell(%s, %s$school_id, ranvar = %s)", x_expr, dname, nl$expr)
    r <- run(call)
    lindell_out[[length(lindell_out) + 1]] <- list(
      dataset = dataset_key[[dname]], item_set = s, items = spec$items, n_items = J, points = spec$points,
      null_distribution = nl$name, ranvar = ranvar,
      missing_rule = "listwise (multilevel 2.7)", call = call,
      groups = records(r$grpid, r$gsize, r$rwg.lindell),
      groups_absent = setdiff(groups_of(dname), r$grpid), summary = summarise(r$rwg.lindell))

    # Item-wise rule by hand.
    S <- sapply(iw, function(q) if (q$n > 1 && all(q$n_per_item > 1)) mean(q$vars) else NA)
    St <- pmin(S, ranvar)
    rj <- (J * (1 - St / ranvar)) / (J * (1 - St / ranvar) + St / ranvar)
    ns <- sapply(iw, `[[`, "n")
    rwgj_itemwise_out[[length(rwgj_itemwise_out) + 1]] <- list(
      dataset = dataset_key[[dname]], item_set = s, items = spec$items, n_items = J, points = spec$points,
      null_distribution = nl$name, ranvar = ranvar,
      missing_rule = "item-wise (listwise = FALSE, multilevel 2.8 rule), computed by hand",
      note = itemwise_note,
      groups = records(names(iw), ns, rj),
      groups_absent = setdiff(groups_of(dname), names(iw)),
      truncated_groups = names(S)[!is.na(S) & S > ranvar],
      summary = summarise(rj))
    lindell_itemwise_out[[length(lindell_itemwise_out) + 1]] <- list(
      dataset = dataset_key[[dname]], item_set = s, items = spec$items, n_items = J, points = spec$points,
      null_distribution = nl$name, ranvar = ranvar,
      missing_rule = "item-wise (listwise = FALSE, multilevel 2.8 rule), computed by hand",
      note = itemwise_note,
      groups = records(names(iw), ns, 1 - S / ranvar),
      groups_absent = setdiff(groups_of(dname), names(iw)),
      summary = summarise(1 - S / ranvar))
  }
  range_call <- sprintf("c(%d, %d)", spec$min, spec$max)
  call <- sprintf("awg(%s, %s$school_id, range = %s)", x_expr, dname, range_call)
  r <- run(call)
  awg_out[[length(awg_out) + 1]] <- list(
    dataset = dataset_key[[dname]], kind = "item set", variable = s, item_set = s, items = spec$items, points = spec$points,
    range = c(spec$min, spec$max), missing_rule = "listwise (multilevel 2.7)",
    call = call, groups = records(r$grpid, r$nraters, r$a.wg),
    groups_absent = setdiff(groups_of(dname), r$grpid), summary = summarise(r$a.wg))
  for (type in c("mean", "median")) {
    call <- sprintf("ad.m(%s, %s$school_id, type = \"%s\")", x_expr, dname, type)
    r <- run(call)
    ad_out[[length(ad_out) + 1]] <- list(
      dataset = dataset_key[[dname]], kind = "item set", variable = s, item_set = s, items = spec$items, points = spec$points, type = type,
      missing_rule = "listwise (multilevel 2.7)", call = call,
      groups = records(r$grpid, r$gsize, r$AD.M),
      groups_absent = setdiff(groups_of(dname), r$grpid), summary = summarise(r$AD.M))
  }
}

# ---------------------------------------------------------------------------------------------
# Behaviour probes: how multilevel 2.7 treats the edge cases (values as returned).
# ---------------------------------------------------------------------------------------------
probe <- function(description, call, pick = NULL) {
  r <- tryCatch(run(call), error = function(e) e)
  if (inherits(r, "error")) return(list(description = description, call = call, error = conditionMessage(r)))
  if (!is.null(pick)) r <- r[r[[1]] %in% pick, , drop = FALSE]
  rows <- lapply(seq_len(nrow(r)), function(i) lapply(as.list(r[i, , drop = FALSE]), function(v) enc(if (is.factor(v)) as.character(v) else v)))
  list(description = description, call = call, rows = rows)
}
teacher_factor <- factor(teacher$school_id)
probes <- list(
  probe("Character group id: a group with no answer to the item (X08) is absent from the output.",
        "rwg(teacher$sl6, teacher$school_id, ranvar = (6^2 - 1) / 12)", c("X07_one_answer", "X08_item_all_missing")),
  probe("Factor group id: the same group is kept (split() keeps empty levels) with gsize 0 and rwg NA.",
        "rwg(teacher$sl6, teacher_factor, ranvar = (6^2 - 1) / 12)", c("X07_one_answer", "X08_item_all_missing")),
  probe("Factor group id, ad.m single item: the empty group gives NaN (0/0), not NA.",
        "ad.m(teacher$sl6, teacher_factor)", c("X08_item_all_missing")),
  probe("Factor group id, awg single item, empty group: awg stops with an error (mean of nothing is NaN inside if()).",
        "awg(teacher$sl6, teacher_factor, range = c(1, 6))", c("X08_item_all_missing")),
  probe("A group of one (X01) and an item answered once in a group of two (X07, sl1): NA, gsize 1.",
        "rwg(teacher$sl1, teacher$school_id, ranvar = (6^2 - 1) / 12)", c("X01_single", "X07_one_answer")),
  probe("Zero variance (X02, X04, X05): rwg 1; variance above the null (X03): truncated to 0.",
        "rwg(teacher$sl1, teacher$school_id, ranvar = (6^2 - 1) / 12)", c("X02_identical", "X03_polarized", "X04_pair_same", "X05_all_max")),
  probe("rwg.j listwise: X06 keeps 1 complete row (NA, gsize 1), X07 1 row (NA), X08 none (absent), X09 3 rows.",
        "rwg.j(teacher[, items$shared_leadership], teacher$school_id, ranvar = (6^2 - 1) / 12)",
        c("X01_single", "X06_item_gaps", "X07_one_answer", "X08_item_all_missing", "X09_sparse_rows")),
  probe("rwg.j truncation (X03) and zero variance (X02, X05); r*wg(j) of X03 is negative (no truncation).",
        "rwg.j.lindell(teacher[, items$shared_leadership], teacher$school_id, ranvar = (6^2 - 1) / 12)",
        c("X02_identical", "X03_polarized", "X05_all_max")),
  probe("awg single item: k = 2 with equal answers off the midpoint (X04) is NA; M == H (X05) is 1; polarised (X03) is -1; identical mid answers (X02) 1.",
        "awg(teacher$sl1, teacher$school_id, range = c(1, 6))", c("X01_single", "X02_identical", "X03_polarized", "X04_pair_same", "X05_all_max")),
  probe("awg scale: mean over items with na.rm = TRUE, so all-NA items give NaN (X04); avg.grp.var is mean(var(Q)), the mean of the whole covariance matrix (covariances included), not of the item variances.",
        "awg(teacher[, items$shared_leadership], teacher$school_id, range = c(1, 6))",
        c("X02_identical", "X03_polarized", "X04_pair_same", "X05_all_max", "S01")),
  probe("ad.m single item and scale: group of one NA; identical answers 0.",
        "ad.m(teacher[, items$shared_leadership], teacher$school_id)", c("X01_single", "X02_identical", "X03_polarized")),
  probe("mult.icc: k for ICC2 is the mean number of rows per group, rows with NA included (compare icc.json mult_icc_nlme).",
        "mult.icc(teacher[, c(\"sl1\", \"sl6\")], teacher$school_id)")
)
probes[[length(probes) + 1]] <- local({
  call <- "mult.icc(teacher[, \"sl1\", drop = FALSE], teacher$school_id)"
  err <- tryCatch({run(call); NA}, error = function(e) conditionMessage(e))
  list(description = "mult.icc with a one-column data frame fails in multilevel 2.7 (names(x[, 1:1]) is NULL).",
       call = call, error = err)
})
s01_cov_mean <- {
  q <- na.omit(teacher[teacher$school_id == "S01", items$shared_leadership])
  list(mean_of_covariance_matrix = mean(var(q)), mean_of_item_variances = mean(diag(var(q))))
}

write_json_file(list(
  meta = meta("Within-group agreement: multilevel 2.7 rwg, rwg.j, rwg.j.lindell, awg, ad.m (+ the item-wise rwg(j) rule by hand)"),
  datasets = dataset_info[c("colead_teacher", "agree7")],
  item_sets = set_spec,
  null_distributions = list(
    source = paste(
      "Uniform: (A^2 - 1) / 12 (multilevel documentation; James, Demaree & Wolf 1984).",
      "Skewed, triangular, normal: LeBreton & Senter (2008, Organizational Research Methods 11, 815-852),",
      "as tabulated by LeBreton in the WGA package (github james-lebreton/WGA, R/RWG.R and R/RWGJ.R,",
      "table null.var, rows for 5 to 11 points). The 5-point slight/moderate/heavy skew values",
      "are checked below as variances of explicit response distributions. The 6-point row is",
      "WGA's; this script could not confirm that it appears in the 2008 article."),
    table = null_table,
    five_point_check = skew5_check,
    used = "uniform for every item and set; slight_skew and moderate_skew for the 5-point influence sets, the 7-point climate7 set, and (6-point, WGA row) shared_leadership and trust_principal"
  ),
  notes = list(
    reversal = "rwg, rwg(j), r*wg(j), awg and AD are unchanged by reversing items (x -> min + max - x keeps variances and absolute deviations, and awg's (M - L)(H - M) is symmetric), so the raw items are passed",
    n = "n is the gsize / nraters column multilevel returns: rows used for the group (after listwise deletion for multi-item calls)",
    groups_absent = "groups of the data set missing from the output (no usable row); with a character group id multilevel drops them silently"
  ),
  rwg = rwg_out,
  rwg_j = rwgj_out,
  rwg_j_itemwise_by_hand = rwgj_itemwise_out,
  rwg_j_lindell = lindell_out,
  rwg_j_lindell_itemwise_by_hand = lindell_itemwise_out,
  awg = awg_out,
  ad = ad_out,
  behaviour_probes = probes,
  awg_avg_grp_var_check_S01 = s01_cov_mean
), "agreement.json")

# ---------------------------------------------------------------------------------------------
# Oracles from peers.md section 4 (multilevel), recomputed from the exported CSVs.
# ---------------------------------------------------------------------------------------------
oracle_out <- list()
oracle <- function(id, call, expected, extract = identity) {
  value <- extract(run(call))
  decimals <- nchar(sub("^-?[0-9]*\\.?", "", expected))
  expected_num <- as.numeric(expected)
  diff <- abs(value - expected_num)
  oracle_out[[length(oracle_out) + 1]] <<- list(
    id = id, call = call, peers_md_value = expected, r_value = value,
    rounded = round(value, decimals),
    match = isTRUE(diff <= 0.5 * 10^-decimals + 1e-12))
}
for (v in c("HRS", "LEAD", "COHES", "WBEING")) {
  exp <- list(HRS = c(".1331", ".9197"), LEAD = c(".1270", ".9156"), COHES = c(".0443", ".7755"), WBEING = c(".0434", ".7717"))[[v]]
  oracle(sprintf("bh1996_icc1_%s", v), sprintf("ICC1(aov(%s ~ as.factor(GRP), data = bh1996))", v), exp[1])
  oracle(sprintf("bh1996_icc2_%s", v), sprintf("ICC2(aov(%s ~ as.factor(GRP), data = bh1996))", v), exp[2])
}
oracle("bh1996_msb_HRS", "summary(aov(HRS ~ as.factor(GRP), data = bh1996))[[1]][1, 3]", "55.811")
oracle("bh1996_msw_HRS", "summary(aov(HRS ~ as.factor(GRP), data = bh1996))[[1]][2, 3]", "4.483")
oracle("bh1996_icc1_n0_HRS",
       "local({fit <- summary(aov(HRS ~ as.factor(GRP), data = bh1996))[[1]]; nj <- table(bh1996$GRP); N <- sum(nj); n0 <- (N - sum(nj^2) / N) / (length(nj) - 1); (fit[1, 3] - fit[2, 3]) / (fit[1, 3] + (n0 - 1) * fit[2, 3])})",
       ".1335")
mi_exp <- list(HRS = c(".1292", ".9171"), LEAD = c(".1475", ".9280"), COHES = c(".0480", ".7901"), WBEING = c(".0434", ".7718"))
for (i in seq_along(mi_exp)) {
  v <- names(mi_exp)[i]
  call <- "mult.icc(bh1996[, c(\"HRS\", \"LEAD\", \"COHES\", \"WBEING\")], bh1996$GRP)"
  oracle(sprintf("bh1996_mult_icc_icc1_%s", v), call, mi_exp[[v]][1], function(r) r$ICC1[i])
  oracle(sprintf("bh1996_mult_icc_icc2_%s", v), call, mi_exp[[v]][2], function(r) r$ICC2[i])
}
rwg_exp <- c(".6215", ".7457", ".7133", ".7317", ".6834")
for (i in 1:5) oracle(sprintf("lq2002_rwg_LEAD_row%d_group%s", i, i + 1), "rwg(lq2002$LEAD, lq2002$COMPID)", rwg_exp[i],
                      local({j <- i; function(r) r$rwg[j]}))
oracle("lq2002_rwg_LEAD_mean", "rwg(lq2002$LEAD, lq2002$COMPID)", ".7032", function(r) mean(r$rwg))
oracle("lq2002_rwg_LEAD_median", "rwg(lq2002$LEAD, lq2002$COMPID)", ".7104", function(r) median(r$rwg))
oracle("lq2002_rwg_LEAD_min", "rwg(lq2002$LEAD, lq2002$COMPID)", ".4976", function(r) min(r$rwg))
oracle("lq2002_rwg_LEAD_max", "rwg(lq2002$LEAD, lq2002$COMPID)", ".8417", function(r) max(r$rwg))
oracle("lq2002_rwg_j_group2", "rwg.j(lq2002[, 3:13], lq2002$COMPID)", ".8075", function(r) r$rwg.j[r$grpid == "2"])
oracle("lq2002_rwg_j_mean", "rwg.j(lq2002[, 3:13], lq2002$COMPID)", ".8678", function(r) mean(r$rwg.j))
oracle("lq2002_rwg_j_median", "rwg.j(lq2002[, 3:13], lq2002$COMPID)", ".8701", function(r) median(r$rwg.j))
oracle("lq2002_rwg_j_min", "rwg.j(lq2002[, 3:13], lq2002$COMPID)", ".7749", function(r) min(r$rwg.j))
oracle("lq2002_rwg_j_max", "rwg.j(lq2002[, 3:13], lq2002$COMPID)", ".9423", function(r) max(r$rwg.j))
oracle("lq2002_rwg_j_lindell_group2", "rwg.j.lindell(lq2002[, 3:13], lq2002$COMPID)", ".2761", function(r) r$rwg.lindell[r$grpid == "2"])
oracle("lq2002_rwg_j_lindell_mean", "rwg.j.lindell(lq2002[, 3:13], lq2002$COMPID)", ".3926", function(r) mean(r$rwg.lindell))
oracle("lq2002_awg_LEAD01_11_mean", "awg(lq2002[, 3:13], lq2002$COMPID)", ".3837", function(r) mean(r$a.wg, na.rm = TRUE))
oracle("lq2002_awg_LEAD05_mean", "awg(lq2002$LEAD05, lq2002$COMPID)", ".4509", function(r) mean(r$a.wg, na.rm = TRUE))
oracle("lq2002_awg_LEAD05_min", "awg(lq2002$LEAD05, lq2002$COMPID)", "-.1266", function(r) min(r$a.wg, na.rm = TRUE))
oracle("bhr2000_ad_m_items_mean", "ad.m(bhr2000[, 2:12], bhr2000$GRP)", ".8691", function(r) mean(r$AD.M))
oracle("bhr2000_ad_m_items_median", "ad.m(bhr2000[, 2:12], bhr2000$GRP)", ".8740", function(r) median(r$AD.M))
oracle("bhr2000_ad_m_items_type_median_mean", "ad.m(bhr2000[, 2:12], bhr2000$GRP, type = \"median\")", ".8298", function(r) mean(r$AD.M))
oracle("bhr2000_ad_m_HRS_mean", "ad.m(bhr2000$HRS, bhr2000$GRP)", "1.2493", function(r) mean(r$AD.M))
waba_exp <- c(RawCorr = "-.1632", EtaBx = ".3788", EtaBy = ".2359", CorrB = "-.7122", EtaWx = ".9255", EtaWy = ".9718", CorrW = "-.1107")
for (nm in names(waba_exp)) oracle(sprintf("bh1996_waba_HRS_WBEING_%s", nm), "waba(bh1996$HRS, bh1996$WBEING, bh1996$GRP)",
                                   waba_exp[[nm]], local({k <- nm; function(r) r$Cov.Theorem[[k]]}))
oracle("bh1996_n", "nrow(bh1996)", "7382")
oracle("bh1996_groups", "length(unique(bh1996$GRP))", "99")
oracle("lq2002_n", "nrow(lq2002)", "2042")
oracle("lq2002_groups", "length(unique(lq2002$COMPID))", "49")
oracle("bhr2000_n", "nrow(bhr2000)", "5400")

lq_rwg <- rwg(lq2002$LEAD, lq2002$COMPID)
lq_rwgj <- rwg.j(lq2002[, 3:13], lq2002$COMPID)
lq_lindell <- rwg.j.lindell(lq2002[, 3:13], lq2002$COMPID)
lq_awg <- awg(lq2002[, 3:13], lq2002$COMPID)
bhr_ad <- ad.m(bhr2000[, 2:12], bhr2000$GRP)
bhr_ad_med <- ad.m(bhr2000[, 2:12], bhr2000$GRP, type = "median")
bhr_ad_hrs <- ad.m(bhr2000$HRS, bhr2000$GRP)
per_group <- list(
  list(call = "rwg(lq2002$LEAD, lq2002$COMPID)", groups = records(lq_rwg$grpid, lq_rwg$gsize, lq_rwg$rwg)),
  list(call = "rwg.j(lq2002[, 3:13], lq2002$COMPID)", groups = records(lq_rwgj$grpid, lq_rwgj$gsize, lq_rwgj$rwg.j)),
  list(call = "rwg.j.lindell(lq2002[, 3:13], lq2002$COMPID)", groups = records(lq_lindell$grpid, lq_lindell$gsize, lq_lindell$rwg.lindell)),
  list(call = "awg(lq2002[, 3:13], lq2002$COMPID)", groups = records(lq_awg$grpid, lq_awg$nraters, lq_awg$a.wg)),
  list(call = "ad.m(bhr2000[, 2:12], bhr2000$GRP)", groups = records(bhr_ad$grpid, bhr_ad$gsize, bhr_ad$AD.M)),
  list(call = "ad.m(bhr2000[, 2:12], bhr2000$GRP, type = \"median\")", groups = records(bhr_ad_med$grpid, bhr_ad_med$gsize, bhr_ad_med$AD.M)),
  list(call = "ad.m(bhr2000$HRS, bhr2000$GRP)", groups = records(bhr_ad_hrs$grpid, bhr_ad_hrs$gsize, bhr_ad_hrs$AD.M))
)

# mult.icc (nlme, optim) against the exact REML optimum and lme4 on bh1996.
mi_bh <- mult.icc(bh1996[, c("HRS", "LEAD", "COHES", "WBEING")], bh1996$GRP)
mult_icc_precision <- lapply(c("HRS", "LEAD", "COHES", "WBEING"), function(v) {
  ex <- reml_exact(bh1996[[v]], bh1996$GRP)
  fm <- lmer(as.formula(sprintf("%s ~ 1 + (1 | GRP)", v)), data = bh1996, REML = TRUE)
  vc <- as.data.frame(VarCorr(fm))
  list(variable = v,
       call_mult_icc = "mult.icc(bh1996[, c(\"HRS\", \"LEAD\", \"COHES\", \"WBEING\")], bh1996$GRP)",
       mult_icc_icc1 = mi_bh$ICC1[mi_bh$Variable == v],
       call_lmer = sprintf("lmer(%s ~ 1 + (1 | GRP), data = bh1996, REML = TRUE)", v),
       lme4_icc1 = vc$vcov[1] / sum(vc$vcov),
       exact_reml_icc1 = ex$icc1,
       exact_minus_mult_icc = ex$icc1 - mi_bh$ICC1[mi_bh$Variable == v],
       exact_minus_lme4 = ex$icc1 - vc$vcov[1] / sum(vc$vcov))
})

write_json_file(list(
  meta = meta("peers.md section 4 oracle values (multilevel) recomputed from the exported bh1996/lq2002/bhr2000 CSVs"),
  data_provenance = list(
    source = "R package multilevel 2.7 (Paul Bliese), datasets bh1996, lq2002, bhr2000; licence GPL (>= 2)",
    exported_columns = export_cols,
    csv_roundtrip_max_abs_error = roundtrip
  ),
  match_rule = "|r_value - peers_md_value| <= half a unit in the last printed decimal of the peers.md value",
  all_match = all(sapply(oracle_out, `[[`, "match")),
  oracles = oracle_out,
  mult_icc_precision = mult_icc_precision,
  per_group = per_group
), "multilevel_oracles.json")

n_bad <- sum(!sapply(oracle_out, `[[`, "match"))
cat(sprintf("icc.json, agreement.json, multilevel_oracles.json written to %s; oracle mismatches: %d\n", script_dir, n_bad))
