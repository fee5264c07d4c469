/* truth: user-defined structs are outside the subset: a compile error naming them. */
struct foo { int a; };
BEGIN { exit(0); }
