// ESLint (flat config) for the explorer page's scripts. The files are concatenated, in the order
// CMakeLists.txt lists them, into one strict function: each is a plain script sharing one scope,
// so names defined in another file are allowed here rather than imported.
// Run from this folder: npx eslint .   and format with: npx prettier --write .
export default [
  {
    files: ["*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: {
        window: "readonly",
        document: "readonly",
        console: "readonly",
        performance: "readonly",
        location: "readonly",
        history: "readonly",
        getComputedStyle: "readonly",
        requestAnimationFrame: "readonly",
        setTimeout: "readonly",
        atob: "readonly",
        Blob: "readonly",
        Response: "readonly",
        DecompressionStream: "readonly",
        URL: "readonly",
        URLSearchParams: "readonly",
      },
    },
    rules: {
      "no-unused-vars": "off", // a function used only by a later file looks unused here
      "no-undef": "off", // and a name from an earlier file looks undefined
      "prefer-const": "error",
      "no-var": "error",
      eqeqeq: "error",
      curly: ["error", "multi-line"],
    },
  },
];
