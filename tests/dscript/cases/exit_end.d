/* truth: the last exit() consumed wins: END's exit(0) over BEGIN's exit(1) (corpus
 * actions-exit.tst.end-exit). */
#pragma D option quiet
BEGIN { exit(1); }
END { exit(0); }
