var raw = """no \n escapes or %(interpolation) here"""
System.print(raw) // expect: no \n escapes or %(interpolation) here

// A raw string may contain quotes.
System.print("""she said "hi" to me""") // expect: she said "hi" to me

// When the opening """ is followed by a newline, that newline is dropped,
// as is the last line if it contains only whitespace.
var multi = """
  first
  second
  """
System.print(multi)
// expect:   first
// expect:   second
System.print(multi.count) // expect: 16
System.print(multi.endsWith("second")) // expect: true

// A raw string on one line may hold a backslash and a percent sign verbatim.
System.print("""C:\dir\%x""") // expect: C:\dir\%x
