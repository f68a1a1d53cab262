// The SPARQL editor: YASGUI on this server's /sparql, with the named queries to choose from.
(function () {
  "use strict";
  var named = JSON.parse(document.getElementById("named-data").textContent);
  var preset = JSON.parse(document.getElementById("preset").textContent);
  var endpoint = new URL("/sparql", window.location.href).href;
  // IRIs of ecokg resolve on this server (/id/…, /def…), as w3id.org would send them on:
  // YASR's table plugin, subclassed and registered in its place, rewrites their links.
  var ECOKG = "https://w3id.org/ecokg/";
  var Table = Yasgui.Yasr.plugins.table;
  class LocalLinks extends Table {
    getUriLinkFromBinding(binding, prefixes) {
      var html = super.getUriLinkFromBinding(binding, prefixes);
      if (binding.value.indexOf(ECOKG) !== 0) {
        return html;
      }
      return html.replace(/href=(["'])https:\/\/w3id\.org\/ecokg\//, "href=$1/");
    }
  }
  Yasgui.Yasr.registerPlugin("table", LocalLinks);
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: null
  });
  window.ecokgYasgui = yasgui;
  function show(text) {
    var tab = yasgui.getTab();
    tab.setQuery(text);
  }
  if (preset) {
    show(preset);
  }
  document.getElementById("named-queries").addEventListener("change", function (event) {
    var chosen = named[Number(event.target.value)];
    if (chosen) {
      show(chosen.text);
    }
  });
})();
