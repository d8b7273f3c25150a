// amberSetImageKey and amberRestoreSigned: a signed image restores with its
// key only; an unsigned image, another key, a changed image and a bad key
// file are refused with a reason.
#include <sys/stat.h>

#include "host.h"

static void writeKey(const char* path, const char* bytes, int mode)
{
  FILE* f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f == NULL) return;
  fputs(bytes, f);
  fclose(f);
  chmod(path, mode);
}

int main(int argc, const char* argv[])
{
  if (argc != 2) { fprintf(stderr, "usage: signed DIRECTORY\n"); return 64; }
  char keyA[4096], keyB[4096], shortKey[4096], openKey[4096], signedImage[4096], plainImage[4096];
  snprintf(keyA, sizeof(keyA), "%s/a.key", argv[1]);
  snprintf(keyB, sizeof(keyB), "%s/b.key", argv[1]);
  snprintf(shortKey, sizeof(shortKey), "%s/short.key", argv[1]);
  snprintf(openKey, sizeof(openKey), "%s/open.key", argv[1]);
  snprintf(signedImage, sizeof(signedImage), "%s/signed.img", argv[1]);
  snprintf(plainImage, sizeof(plainImage), "%s/plain.img", argv[1]);
  writeKey(keyA, "0123456789abcdef0123456789abcdef", 0600);
  writeKey(keyB, "fedcba9876543210fedcba9876543210", 0600);
  writeKey(shortKey, "too short", 0600);
  writeKey(openKey, "0123456789abcdef0123456789abcdef", 0644);

  WrenConfiguration config = recordingConfig();
  WrenVM* vm = wrenNewVM(&config);
  CHECK(wrenInterpret(vm, "main", "var Answer = 42") == WREN_RESULT_SUCCESS);

  char error[1024];
  CHECK(!amberSetImageKey(vm, shortKey, error, sizeof(error)));
  CHECK_CONTAINS(error, "at least 16 bytes");
  CHECK(!amberSetImageKey(vm, openKey, error, sizeof(error)));
  CHECK_CONTAINS(error, "other users");
  CHECK(!amberSetImageKey(vm, "/nonexistent-directory/none.key", error, sizeof(error)));
  CHECK_CONTAINS(error, "Cannot read key file");
  CHECK(!amberSetImageKey(NULL, keyA, error, sizeof(error)));

  CHECK(amberSetImageKey(vm, keyA, error, sizeof(error)));
  CHECK(amberSnapshot(vm, signedImage, error, sizeof(error)));
  CHECK(amberSetImageKey(vm, NULL, error, sizeof(error)));
  CHECK(amberSnapshot(vm, plainImage, error, sizeof(error)));
  wrenFreeVM(vm);

  // With its key: restored, the program's state intact.
  WrenVM* restored = amberRestoreSigned(&config, signedImage, keyA, error, sizeof(error));
  CHECK(restored != NULL);
  if (restored != NULL) {
    resetRecords();
    CHECK(wrenInterpret(restored, "main", "System.print(Answer)") == WREN_RESULT_SUCCESS);
    CHECK_STR(output, "42\n");
    wrenFreeVM(restored);
  }
  // amberRestore does not check signatures: a signed image restores without a key.
  restored = amberRestore(&config, signedImage, error, sizeof(error));
  CHECK(restored != NULL);
  if (restored != NULL) wrenFreeVM(restored);

  // Another key, no signature, no key file: refused.
  CHECK(amberRestoreSigned(&config, signedImage, keyB, error, sizeof(error)) == NULL);
  CHECK_CONTAINS(error, "not signed with this key");
  CHECK(amberRestoreSigned(&config, plainImage, keyA, error, sizeof(error)) == NULL);
  CHECK_CONTAINS(error, "is not signed");
  CHECK(amberRestoreSigned(&config, signedImage, NULL, error, sizeof(error)) == NULL);
  CHECK_CONTAINS(error, "the key file is NULL");
  CHECK(amberRestoreSigned(&config, signedImage, shortKey, error, sizeof(error)) == NULL);
  CHECK_CONTAINS(error, "at least 16 bytes");

  // One heap byte changed after signing (the header's heap offset and size
  // are the little-endian words at bytes 64 and 72): refused, with the reason.
  FILE* f = fopen(signedImage, "r+b");
  CHECK(f != NULL);
  if (f != NULL) {
    unsigned char header[80];
    CHECK(fread(header, 1, sizeof(header), f) == sizeof(header));
    unsigned long long heapOffset = 0, heapBytes = 0;
    for (int i = 7; i >= 0; i--) {
      heapOffset = heapOffset << 8 | header[64 + i];
      heapBytes = heapBytes << 8 | header[72 + i];
    }
    long at = (long)(heapOffset + heapBytes / 2);
    fseek(f, at, SEEK_SET);
    int c = fgetc(f);
    fseek(f, at, SEEK_SET);
    fputc(c ^ 0x55, f);
    fclose(f);
  }
  // (The heap checksum notices first; an attacker who also recomputes it
  // meets the signed digests, as the Swift tests show.)
  CHECK(amberRestoreSigned(&config, signedImage, keyA, error, sizeof(error)) == NULL);
  CHECK_CONTAINS(error, "signed.img");

  return finish();
}
