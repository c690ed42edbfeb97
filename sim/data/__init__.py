"""Package data: parameter, posture, referral and source tables, and the body chart."""
