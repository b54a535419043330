"""Lead scoring (issue 13, item 7), the part without a database: ``features`` (a lead's
facts -> feature dict, in plain words), ``model`` (the calibrated logistic regression,
its held-out ROC AUC and each score's reasons) and ``rules`` (the transparent score
used while there are too few past leads). The worker's side is
``analytics.lead_scores``."""
