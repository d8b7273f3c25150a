class Twice {
  method() { 1 }
  method() { 2 } // expect error
}
