"""The eval suite: suites as data (eval/suites/*.yaml), a runner, reports and comparisons."""
