// A restored process sees its own environment, plus the KEY=VALUE lines of the
// files registered with Snapshot.registerRestoreEnvFile.
import "os" for Process
import "snapshot" for Snapshot

Snapshot.registerRestoreEnvFile("Samples/environment/restore.env")
Snapshot.registerImmutableEnv(["APP_NAME"])

class Main {
  static ready() {
    System.print("APP_NAME      = %(Process.env("APP_NAME"))")
    System.print("ONLY_AT_START = %(Process.env("ONLY_AT_START"))")
    System.print("FROM_ENV_FILE = %(Process.env("FROM_ENV_FILE"))")
  }
}
Main.ready()
