/*
 * fuzz_campaign.c - detection JSON lines from anywhere through the reader,
 * the campaign engine and every report format: no input may crash, leak or
 * make a writer fail on anything but output.
 */
#include "core/common.h"

#include "trawl/campaign.h"
#include "trawl/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tr_err add(void *ctx, const tr_detection *d)
{
    tr_err err = tr_campaigns_add(ctx, d);
    return err == TR_ENOMEM ? err : TR_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tr_log_set_level(TR_LOG_ERROR);
    tr_campaigns *c;
    if (tr_campaigns_new(NULL, NULL, &c) != TR_OK)
        return 0;
    uint64_t bad = 0;
    if (tr_detections_read_jsonl_buf("fuzz", (const char *)data, size, add, c, &bad) == TR_OK &&
        tr_campaigns_run(c) == TR_OK) {
        FILE *out = fopen("/dev/null", "w");
        if (out) {
            tr_cmp_report_opts o = { .min_group = 2 };
            for (int f = TR_CMPFMT_TEXT; f <= TR_CMPFMT_STIX; f++) {
                tr_campaigns_write(c, (tr_cmp_format)f, &o, out);
                o.anonymise = true;
                tr_campaigns_write(c, (tr_cmp_format)f, &o, out);
                o.anonymise = false;
            }
            fclose(out);
        }
    }
    tr_campaigns_free(c);
    return 0;
}
