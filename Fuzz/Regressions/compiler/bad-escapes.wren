// error: escape
var x = "\u12"
var y = "\x4"
var z = "\q"
var w = "\U1234"
