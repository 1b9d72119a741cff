/* crawler/feature-package.h: the package feature's comparison of two
 * package sets, apart from how they were read, so tests can drive it with
 * database texts. */
#pragma once

#include "crawler/crawler.h"

/* Orders two versions as the format's package manager does: dpkg's
 * epoch:upstream-revision rules, rpm's [epoch:]version-release segment
 * rules; apk and unknown formats only tell equal from different (0 or 1).
 * <0, 0 or >0. */
int crawl_package_version_cmp (const char *format, const char *a, const char *b);

/* Adds an item per package to items ("name:arch" -> {"name", "version",
 * "arch", "format", "change", "image_version"}): now and image are
 * "name:arch" -> StorePackage* (store_packages_parse_*). image NULL: the
 * image's packages are not known, every change is null. Otherwise change
 * is null (as in the image), "added", "removed" (version: the image's),
 * "upgraded", "downgraded" or, for apk, "version_changed". */
void crawl_package_items (const char *format, GHashTable *now, GHashTable *image, json_t *items);
