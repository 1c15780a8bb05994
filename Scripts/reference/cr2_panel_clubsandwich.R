# CR2 (Bell-McCaffrey) with Satterthwaite degrees of freedom for the panel estimators with unit and period effects,
# from R's clubSandwich on the dummy-variable regressions, on the simulated unbalanced staggered panel
# Tests/AnalysisTests/Fixtures/did2s_panel.csv (25 clusters, units nested in them):
#   TWFE: lm(y ~ d + factor(unit) + factor(period)), d = 1 from the unit's cohort on;
#   Sun & Abraham: the saturated regression (one dummy per adoption cohort and event time, -4 ... 3 binned at the
#   ends, -1 the reference, never-treated units the comparison) with unit and period effects; each event time's
#   effect the cohorts' coefficients weighted by their rows, and the average post-period effect over every cell at
#   event time 0 or later, by linear_contrast (Satterthwaite degrees of freedom of the contrast).
# Each also weighted by the survey weight w = 1 + unit mod 5 (the panel's weighted variant; estimator name +w, cohort shares
# of the weights), and TWFE by a weight that varies within units, w = 1 + ((unit + period) mod 3) / 2 (+wrow): clubSandwich's
# default for a weighted lm (identity working model).
# Writes Tests/AnalysisTests/Fixtures/cr2_panel_reference.csv (or OUT). Needs Debian's r-cran-clubsandwich.
# Usage: Rscript Scripts/reference/cr2_panel_clubsandwich.R [OUT]
suppressMessages(library(clubSandwich))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "Tests/AnalysisTests/Fixtures/cr2_panel_reference.csv"
data <- read.csv("Tests/AnalysisTests/Fixtures/did2s_panel.csv")
data$d <- as.numeric(data$cohort != 0 & data$period >= data$cohort)
rows <- list()
add <- function(estimator, term, estimate, se, df) {
  rows[[length(rows) + 1]] <<- data.frame(
    estimator = estimator, term = term, estimate = sprintf("%.15g", estimate), std_error = sprintf("%.15g", se), df = sprintf("%.15g", df))
}
data$w <- 1 + data$unit %% 5
data$wrow <- 1 + ((data$unit + data$period) %% 3) / 2
twfe <- function(suffix, weights) {
  data$chosen <- if (is.null(weights)) 1 else weights
  fit <- if (is.null(weights)) lm(y ~ d + factor(unit) + factor(period), data = data) else
    lm(y ~ d + factor(unit) + factor(period), data = data, weights = chosen)
  test <- coef_test(fit, vcov = "CR2", cluster = data$cluster, test = "Satterthwaite", coefs = "d")
  add(paste0("twfe", suffix), "treated", test$beta[1], test$SE[1], test$df_Satt[1])
}
twfe("", NULL)

leads <- 4; lags <- 3
event <- ifelse(data$cohort == 0, NA, pmin(pmax(data$period - data$cohort, -leads), lags))
cell <- ifelse(is.na(event) | event == -1, NA, paste0("c", data$cohort, "_e", ifelse(event < 0, paste0("m", -event), event)))
cells <- sort(unique(cell[!is.na(cell)]))
for (name in cells) data[[name]] <- as.numeric(!is.na(cell) & cell == name)
formula <- as.formula(paste("y ~", paste(cells, collapse = " + "), "+ factor(unit) + factor(period)"))
cellEvent <- sapply(sub(".*_e", "", cells), function(e) if (startsWith(e, "m")) -as.integer(substring(e, 2)) else as.integer(e))
for (scheme in c("", "+w")) {
  data$chosen <- if (scheme == "") 1 else data$w
  sa <- if (scheme == "") lm(formula, data = data) else lm(formula, data = data, weights = chosen)
  vcov <- vcovCR(sa, cluster = data$cluster, type = "CR2")
  # Each cohort's share of an event time: its share of the rows, or of the weights.
  counts <- sapply(cells, function(name) sum(data$chosen * data[[name]]))
  coefs <- names(coef(sa))
  contrast <- function(members) {
    combination <- rep(0, length(coefs))
    combination[match(cells[members], coefs)] <- counts[members] / sum(counts[members])
    combination
  }
  combinations <- list()
  for (e in sort(unique(cellEvent))) combinations[[paste("event time", e)]] <- contrast(cellEvent == e)
  combinations[["average post-period effect"]] <- contrast(cellEvent >= 0)
  contrastMatrix <- do.call(rbind, combinations)
  if (scheme == "") {
    tests <- linear_contrast(sa, vcov = vcov, contrasts = contrastMatrix, test = "Satterthwaite")
    for (i in seq_len(nrow(tests))) {
      add(paste0("sun_abraham", scheme), names(combinations)[i], tests$Est[i], tests$SE[i], tests$df[i])
    }
  } else {
    # linear_contrast's Satterthwaite path fails in clubSandwich 0.5.8 for weights that are not inverse variances, so each
    # combination c'b becomes one coefficient of the same model reparametrised (the cells x_l - (c_l / c_j) x_j for l != j,
    # x_j / c_j for its first member j): the same fit, residuals and CR2 adjustment, and coef_test's degrees of freedom.
    for (name in names(combinations)) {
      combination <- combinations[[name]][match(cells, coefs)]
      j <- which(combination != 0)[1]
      rebuilt <- data
      for (l in seq_along(cells)) {
        rebuilt[[cells[l]]] <- if (l == j) data[[cells[j]]] / combination[j] else data[[cells[l]]] - combination[l] / combination[j] * data[[cells[j]]]
      }
      refit <- lm(formula, data = rebuilt, weights = chosen)
      test <- coef_test(refit, vcov = "CR2", cluster = rebuilt$cluster, test = "Satterthwaite", coefs = cells[j])
      add(paste0("sun_abraham", scheme), name, test$beta[1], test$SE[1], test$df_Satt[1])
    }
  }
}
twfe("+w", data$w)
twfe("+wrow", data$wrow)
write.csv(do.call(rbind, rows), out, row.names = FALSE, quote = FALSE)
