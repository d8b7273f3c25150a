// Using a lowercase module variable before its declaration is an error
// reported at the declaration.
var show = Fn.new { System.print(later) }
var later = "too late" // expect error
