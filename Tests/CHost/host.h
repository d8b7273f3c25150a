// Shared by the C hosts of Tests/CHost: checks, and callbacks that record
// what the VM writes and reports so a host can check it.
//
// Each host is a plain C program linked against libAmberWren.so, compiled and
// run by Tests/AmberWrenTests/CHostTests.swift. It prints "ok" and exits 0 when
// every check holds; a failed check prints its file, line and expression.
#ifndef AMBER_TEST_HOST_H
#define AMBER_TEST_HOST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wren.h"
#include "amber.h"

static int failures = 0;

#define CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

#define CHECK_STR(actual, expected) do { const char* a_ = (actual); const char* e_ = (expected); \
    if (a_ == NULL || strcmp(a_, e_) != 0) { \
      fprintf(stderr, "%s:%d: check failed: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #actual, \
              a_ ? a_ : "(null)", e_); failures++; } } while (0)

#define CHECK_CONTAINS(haystack, needle) do { const char* h_ = (haystack); const char* n_ = (needle); \
    if (h_ == NULL || strstr(h_, n_) == NULL) { \
      fprintf(stderr, "%s:%d: check failed: %s is \"%s\", which lacks \"%s\"\n", __FILE__, __LINE__, #haystack, \
              h_ ? h_ : "(null)", n_); failures++; } } while (0)

// Everything System.print wrote since the last reset.
static char output[65536];

static void recordWrite(WrenVM* vm, const char* text)
{
  (void)vm;
  strncat(output, text, sizeof(output) - strlen(output) - 1);
}

// Every error report since the last reset, one per line:
// "compile main 3 Error at 'x': ...", "runtime - -1 boom", "trace main 7 Foo.bar()".
static char errors[65536];
static int errorCount = 0;

static void recordError(WrenVM* vm, WrenErrorType type, const char* module, int line, const char* message)
{
  (void)vm;
  const char* kind = type == WREN_ERROR_COMPILE ? "compile" : type == WREN_ERROR_RUNTIME ? "runtime" : "trace";
  char entry[2048];
  snprintf(entry, sizeof(entry), "%s %s %d %s\n", kind, module ? module : "-", line, message);
  strncat(errors, entry, sizeof(errors) - strlen(errors) - 1);
  errorCount++;
}

static void resetRecords(void)
{
  output[0] = '\0';
  errors[0] = '\0';
  errorCount = 0;
}

// A configuration with the recording callbacks.
static WrenConfiguration recordingConfig(void)
{
  WrenConfiguration config;
  wrenInitConfiguration(&config);
  config.writeFn = recordWrite;
  config.errorFn = recordError;
  return config;
}

static int finish(void)
{
  if (failures == 0) printf("ok\n");
  return failures == 0 ? 0 : 1;
}

#endif
