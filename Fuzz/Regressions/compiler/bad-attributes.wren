// error: attribute
#
#!x = [1]
var a = 1
#x
var b = 2
