// Fills the latitude/longitude fields from the phone's position (the page works without it).
(function () {
  var b = document.getElementById('locate'), msg = document.getElementById('locmsg');
  if (!b) return;
  if (!navigator.geolocation) { b.disabled = true; msg.textContent = '此浏览器不能定位，请填写地址'; return; }
  b.addEventListener('click', function () {
    msg.textContent = '正在定位…';
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById('lat').value = p.coords.latitude.toFixed(6);
      document.getElementById('lng').value = p.coords.longitude.toFixed(6);
      msg.textContent = '已定位（精度约 ' + Math.round(p.coords.accuracy) + ' 米）';
    }, function (e) { msg.textContent = '定位失败：' + (e.code === 1 ? '未允许定位' : '请稍后再试或填写地址'); },
    { enableHighAccuracy: true, timeout: 15000 });
  });
})();
