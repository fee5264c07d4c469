/* truth: shared/conformance/README-research.md section 3: dtrace-utils' test-suite layout
 * ("%32s" header and prefix, no CPU/ID columns) and its trace() widths (" %3hhd" of int8_t:
 * corpus actions-trace.tst.int8_t), which --dtrace-testing selects. */
BEGIN {}
BEGIN { trace((int8_t)-1); exit(0); }
