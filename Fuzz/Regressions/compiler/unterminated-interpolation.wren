// error: Expect end of string interpolation
var x = "a %(1 + 
