/* a seed for fuzz_dscript: things DTrace refuses */
fbt:::a:b:c
BEGIN { x = 1 / 0; y = "s" + ; }
