// Generators Seeded from entropy get a Fresh seed in every restored process;
// a generator given a seed keeps its sequence, as the Random contract says.
import "random" for Random
import "snapshot" for Snapshot

var Fresh = Random.new()
var Seeded = Random.new(2024)
var Pinned = Random.new()
Pinned.reseedOnRestore = false   // keep the sequence even after restores

class Main {
  static ready() {
    System.print("unseeded: %((1..3).map { Fresh.int(1000) }.toList)")
    System.print("seeded:   %((1..3).map { Seeded.int(1000) }.toList)")
    System.print("pinned:   %((1..3).map { Pinned.int(1000) }.toList)")
  }
}
Main.ready()
