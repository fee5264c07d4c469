/* truth: without input ticks fire on a virtual clock from 0 (d-language.md 3.9): tick-1sec at
 * 1, 2, 3 s, tick-500ms at 0.5, 1, 1.5, ...; at equal times the probe created first fires
 * first; after exit() at 3 s no tick fires; END sees the last firing's timestamp. */
#pragma D option quiet
tick-1sec /n < 3/ { n++; printf("%d %d\n", n, timestamp / 1000000000); }
tick-1sec /n == 3/ { exit(0); }
tick-500ms { m++; }
END { printf("%d %d\n", m, timestamp / 1000000); }
