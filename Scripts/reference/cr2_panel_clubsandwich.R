# CR2 (Bell-McCaffrey) with Satterthwaite degrees of freedom for the panel estimators with unit and period effects,
# from R's clubSandwich on the dummy-variable regressions, on the simulated unbalanced staggered panel
# Tests/AnalysisTests/Fixtures/did2s_panel.csv (25 clusters, units nested in them):
#   TWFE: lm(y ~ d + factor(unit) + factor(period)), d = 1 from the unit's cohort on;
#   Sun & Abraham: the saturated regression (one dummy per adoption cohort and event time, -4 ... 3 binned at the
#   ends, -1 the reference, never-treated units the comparison) with unit and period effects; each event time's
#   effect the cohorts' coefficients weighted by their rows, and the average post-period effect over every cell at
#   event time 0 or later, by linear_contrast (Satterthwaite degrees of freedom of the contrast).
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
twfe <- lm(y ~ d + factor(unit) + factor(period), data = data)
test <- coef_test(twfe, vcov = "CR2", cluster = data$cluster, test = "Satterthwaite", coefs = "d")
add("twfe", "treated", test$beta[1], test$SE[1], test$df_Satt[1])

leads <- 4; lags <- 3
event <- ifelse(data$cohort == 0, NA, pmin(pmax(data$period - data$cohort, -leads), lags))
cell <- ifelse(is.na(event) | event == -1, NA, paste0("c", data$cohort, "_e", ifelse(event < 0, paste0("m", -event), event)))
cells <- sort(unique(cell[!is.na(cell)]))
for (name in cells) data[[name]] <- as.numeric(!is.na(cell) & cell == name)
formula <- as.formula(paste("y ~", paste(cells, collapse = " + "), "+ factor(unit) + factor(period)"))
sa <- lm(formula, data = data)
vcov <- vcovCR(sa, cluster = data$cluster, type = "CR2")
cellEvent <- sapply(sub(".*_e", "", cells), function(e) if (startsWith(e, "m")) -as.integer(substring(e, 2)) else as.integer(e))
counts <- sapply(cells, function(name) sum(data[[name]]))
coefs <- names(coef(sa))
contrast <- function(members) {
  weights <- rep(0, length(coefs))
  weights[match(cells[members], coefs)] <- counts[members] / sum(counts[members])
  weights
}
combinations <- list()
for (e in sort(unique(cellEvent))) combinations[[paste("event time", e)]] <- contrast(cellEvent == e)
combinations[["average post-period effect"]] <- contrast(cellEvent >= 0)
matrix <- do.call(rbind, combinations)
tests <- linear_contrast(sa, vcov = vcov, contrasts = matrix, test = "Satterthwaite")
for (i in seq_len(nrow(tests))) {
  add("sun_abraham", names(combinations)[i], tests$Est[i], tests$SE[i], tests$df[i])
}
write.csv(do.call(rbind, rows), out, row.names = FALSE, quote = FALSE)
