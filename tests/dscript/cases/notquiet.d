/* truth: d-language.md 3.3 (corpus aggs.tst.count_notquiet): a clause with no statements
 * records the default header-only record (a line); assignment- and aggregation-only
 * clauses record nothing (no line); printf("a\n") is followed by the record's "\n";
 * exit() records. At the end "\n", then @c keyless: " %16lld". */
BEGIN {}
BEGIN { x = 1; }
BEGIN { printf("a\n"); }
BEGIN { @c = count(); }
BEGIN { exit(0); }
