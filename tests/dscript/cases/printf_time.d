/* truth: dt_printf.c pfprint_time: %Y is ctime's text rearranged to "YYYY Mon DD HH:MM:SS"
 * (day space-padded) in local time, here TZ=UTC: 10^18 ns is 2001-09-09 01:46:40. */
#pragma D option quiet
BEGIN
{
	printf("%Y|%-22Y|\n", (int64_t)1000000000000000000, (int64_t)1000000000000000000);
	exit(0);
}
