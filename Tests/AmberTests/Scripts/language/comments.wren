// A line comment.
System.print("one") // expect: one

/* A block comment */ System.print("two") // expect: two

/* Block comments
   can span
   several lines. */
System.print("three") // expect: three

/* They /* can /* nest */ arbitrarily */ deep. */
System.print("four") // expect: four

System.print(/* inline */ "five") // expect: five
System.print("// not a comment") // expect: // not a comment
System.print("/* nor this */") // expect: /* nor this */
// The last line ends in a comment without a newline.