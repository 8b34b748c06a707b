# R reference values for colead.path's disturbances of final outcomes and its fit measures under
# clustering (issue 23).
#
#   Rscript tests/reference/relate/path_disturbances.R
#
# lavaan's sem() lets the disturbances of final outcomes (outcomes that predict nothing)
# covary by default (auto.cov.y = TRUE); colead.path keeps them uncorrelated. For two models
# with two final outcomes, one where they have different predictors and one where they share
# them, this fits lavaan's default and the model with the covariance fixed at 0
# ("y1 ~~ 0*y2"), and both with cluster = "school_id" (cluster-robust standard errors and the
# Yuan-Bentler scaled test). Reads teachers.csv; writes path_disturbances.json next to this
# script, every number with 15 significant digits beside its call.

suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})
script_dir <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg)) dirname(normalizePath(sub("^--file=", "", arg[1]))) else getwd()
})
path <- function(name) file.path(script_dir, name)
run <- function(call) eval(parse(text = call), envir = globalenv())

teachers <- read.csv(path("teachers.csv"), stringsAsFactors = FALSE)
VARS <- c("school_id", "collective_responsibility", "shared_leadership", "trust_principal",
          "instructional_leadership", "focused_instruction", "shared_focus")
path_data <- na.omit(teachers[, VARS])

models <- list(
  different = paste(
    "collective_responsibility ~ shared_leadership + trust_principal",
    "focused_instruction ~ collective_responsibility + shared_leadership",
    "shared_focus ~ collective_responsibility + instructional_leadership",
    sep = "\n"),
  same = paste(
    "collective_responsibility ~ shared_leadership + trust_principal",
    "focused_instruction ~ collective_responsibility + shared_leadership",
    "shared_focus ~ collective_responsibility + shared_leadership",
    sep = "\n")
)
FIXED <- "focused_instruction ~~ 0*shared_focus"
MEASURES <- c("chisq", "df", "pvalue", "cfi", "rmsea", "srmr", "ntotal")
ROBUST <- c("chisq", "df", "pvalue", "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor",
            "cfi", "cfi.robust", "rmsea", "rmsea.robust", "srmr", "ntotal")

result <- function(name, variant, call, measures) {
  fit <- run(call)
  pe <- parameterEstimates(fit)
  keep <- pe$op %in% c("~", "~~") & !(pe$op == "~~" & pe$lhs == pe$rhs & !(pe$lhs %in% c(
    "collective_responsibility", "focused_instruction", "shared_focus")))
  list(
    model = name, variant = variant, call = call, call_fit = sprintf(
      "fitMeasures(fit, c(%s))", paste(sprintf("'%s'", measures), collapse = ", ")),
    parameters = lapply(which(keep), function(i) list(
      lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i], estimate = pe$est[i], se = pe$se[i],
      p_value = pe$pvalue[i])),
    fit = as.list(fitMeasures(fit, measures))
  )
}
out <- list()
# lavaan says, for cluster = : "observed.information for ALL test statistics is set to h1"
for (name in names(models)) {
  assign("m_default", models[[name]], envir = globalenv())
  assign("m_fixed", paste(models[[name]], FIXED, sep = "\n"), envir = globalenv())
  out[[length(out) + 1]] <- result(name, "lavaan_default",
                                   "sem(m_default, data = path_data)", MEASURES)
  out[[length(out) + 1]] <- result(name, "uncorrelated",
                                   "sem(m_fixed, data = path_data)", MEASURES)
  out[[length(out) + 1]] <- suppressWarnings(result(name, "uncorrelated_cluster",
                                   "sem(m_fixed, data = path_data, cluster = \"school_id\")", ROBUST))
  out[[length(out) + 1]] <- suppressWarnings(result(name, "lavaan_default_cluster",
                                   "sem(m_default, data = path_data, cluster = \"school_id\")", ROBUST))
}
meta <- list(r = R.version.string, lavaan = as.character(packageVersion("lavaan")),
             jsonlite = as.character(packageVersion("jsonlite")),
             data = "path_data: complete cases of teachers.csv on school_id and the model's variables",
             n = nrow(path_data), schools = length(unique(path_data$school_id)),
             models = models, fixed = FIXED)
writeLines(toJSON(list(meta = meta, fits = out), digits = NA, auto_unbox = TRUE, na = "null",
                  pretty = TRUE), path("path_disturbances.json"), useBytes = TRUE)
