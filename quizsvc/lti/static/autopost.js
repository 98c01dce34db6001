// Send the deep linking answer back to the LMS at once (the page's button does it without script).
document.getElementById("autopost").submit();
