// The small restore: written with -snapshot:...,trigger=Main.run,exit, then
// restored; prints after the restore.
class Main {
  static run() {
    System.print("restored")
  }
}
Main.run()
