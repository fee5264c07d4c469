/* truth: the C preprocessor (-C) is not supported; its directives are refused by name. */
#define X 1
BEGIN { exit(0); }
