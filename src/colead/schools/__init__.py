"""Schools: statistics about schools as groups of respondents (the sample-size planner so far;
ICC, rwg, aggregation and agreement move here with the regrouping of issue 15)."""
