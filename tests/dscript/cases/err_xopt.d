/* truth: dtrace(1): a bad -x is "failed to set -x NAME: Invalid option name", status 1. */
BEGIN { exit(0); }
