// The io module's Directory class and Stat of directories.
import "io" for Directory, File, Stat
import "os" for Process

var dir = "/tmp/amber_io_dir_%(Process.pid)"
System.print(Directory.exists(dir)) // expect: false
System.print(Directory.create(dir)) // expect: null
System.print(Directory.exists(dir)) // expect: true
System.print(Stat.path(dir).isDirectory) // expect: true
System.print(Directory.list(dir)) // expect: []

for (name in ["b.txt", "a.txt", "C.txt", "c.txt"]) {
  File.create("%(dir)/%(name)") {|f| f.writeBytes(name) }
}
Directory.create("%(dir)/sub")
// Sorted by bytes, without "." and "..".
System.print(Directory.list(dir)) // expect: [C.txt, a.txt, b.txt, c.txt, sub]
System.print(File.exists("%(dir)/sub")) // expect: false
System.print(Directory.exists("%(dir)/a.txt")) // expect: false

System.print(Fiber.new { Directory.create(dir) }.try()) // expect: file already exists
System.print(Fiber.new { Directory.delete(dir) }.try()) // expect: directory not empty
System.print(Fiber.new { Directory.list("%(dir)/a.txt") }.try()) // expect: not a directory
System.print(Fiber.new { Directory.list("%(dir)/none") }.try()) // expect: no such file or directory
System.print(Fiber.new { File.open(dir).readBytes(1) }.try()) // expect: illegal operation on a directory

for (name in Directory.list(dir)) {
  if (name == "sub") {
    Directory.delete("%(dir)/sub")
  } else {
    File.delete("%(dir)/%(name)")
  }
}
Directory.delete(dir)
System.print(Directory.exists(dir)) // expect: false

// Relative paths are from the working directory (the Scripts folder here).
System.print(Directory.exists("modules")) // expect: true
System.print(Directory.list("modules").contains("io_directory.wren")) // expect: true
