import "timer" for Timer

Timer.sleep("soon") // expect runtime error: Milliseconds must be a number.
