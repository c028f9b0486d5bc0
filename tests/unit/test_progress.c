/*
 * test_progress.c - the progress line: with a known total (bytes, total,
 * ETA), without one (stdin, a pipe: what was read, no total, no ETA), and
 * counts written without a stray space.
 */
#include "tt.h"

#include "pipeline/progress.h"

TEST(progress_known_total)
{
    tr_progress_sample s = { .bytes = 2000000, .total_bytes = 6000000, .events = 1500,
                             .detections = 7, .source = 1, .nsources = 3 };
    char line[256];
    tr_progress_format(&s, 2.0, line, sizeof(line));
    CHECK_STR(line, "trawl: 2.0 MB / 6.0 MB  1.5k events  7 detections  1.0 MB/s  ETA 0m04s  "
                    "[1/3 files]");
}

TEST(progress_unknown_total)
{
    tr_progress_sample s = { .bytes = 3700000, .events = 3100, .detections = 319,
                             .nsources = 1 };
    char line[256];
    tr_progress_format(&s, 1.0, line, sizeof(line));
    CHECK_STR(line, "trawl: 3.7 MB read  3.1k events  319 detections  3.7 MB/s  [0/1 files]");
    CHECK(!strstr(line, "ETA"));
}

TEST(progress_nothing_yet)
{
    /* the first draw on a pipe: no "0 B / 0 B", no double space before "events" */
    tr_progress_sample s = { .nsources = 1 };
    char line[256];
    tr_progress_format(&s, 0.3, line, sizeof(line));
    CHECK_STR(line, "trawl: 0 B read  0 events  0 detections  0 B/s  [0/1 files]");
    CHECK(!strstr(line, "0 B / 0 B"));
    s.events = 999;
    tr_progress_format(&s, 0.3, line, sizeof(line));
    CHECK(strstr(line, "  999 events  "));
}

TEST(progress_total_reached)
{
    tr_progress_sample s = { .bytes = 512, .total_bytes = 512, .events = 3, .nsources = 1,
                             .source = 1 };
    char line[256];
    tr_progress_format(&s, 1.0, line, sizeof(line));
    CHECK_STR(line, "trawl: 512 B / 512 B  3 events  0 detections  512 B/s  ETA --  [1/1 files]");
}
