# CR2 (Bell-McCaffrey) standard errors and Satterthwaite degrees of freedom from R's clubSandwich, for the
# designs in Tests/AnalysisTests/Fixtures/wild_data.csv (unweighted) and the same with weights w = 1 + x^2.
# Writes Tests/AnalysisTests/Fixtures/cr2_reference.csv (or OUT). Needs Debian's r-cran-clubsandwich.
# Usage: Rscript Scripts/reference/cr2_clubsandwich.R [OUT]
suppressMessages(library(clubSandwich))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "Tests/AnalysisTests/Fixtures/cr2_reference.csv"
data <- read.csv("Tests/AnalysisTests/Fixtures/wild_data.csv")
rows <- list()
for (design in sort(unique(data$design))) {
  d <- data[data$design == design, ]
  d$w <- 1 + d$x^2
  for (weighted in c(FALSE, TRUE)) {
    fit <- if (weighted) lm(y ~ x + d, data = d, weights = w) else lm(y ~ x + d, data = d)
    test <- coef_test(fit, vcov = "CR2", cluster = d$cluster, test = "Satterthwaite")
    for (i in seq_len(nrow(test))) {
      rows[[length(rows) + 1]] <- data.frame(
        design = design, weighted = weighted, term = c("(Intercept)", "x", "d")[i],
        estimate = sprintf("%.15g", test$beta[i]), std_error = sprintf("%.15g", test$SE[i]),
        df = sprintf("%.15g", test$df_Satt[i]), p_value = sprintf("%.15g", test$p_Satt[i]))
    }
  }
}
write.csv(do.call(rbind, rows), out, row.names = FALSE, quote = FALSE)
