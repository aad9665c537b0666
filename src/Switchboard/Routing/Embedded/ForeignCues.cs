using System.Collections.Frozen;

namespace Switchboard.Routing;

/// <summary>
/// Spanish, German, Portuguese and French words for the activities and objects of software work ("escribe",
/// "erklären", "documentação", "fuite"), each read as the English word the lexicon knows. Looked up only for a word the
/// lexicon and the policy do not know, so English text is untouched; words that are also English ("comment", "test")
/// are left out. A small list of the words that name what is asked, not a translation.
/// </summary>
internal static class ForeignCues
{
    private static readonly FrozenDictionary<string, string> English = Build();

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup =
        English.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The English word for <paramref name="word"/> (as written, any case), or null.</summary>
    public static string? Find(ReadOnlySpan<char> word) => word.Length >= 3 && Lookup.TryGetValue(word, out var english) ? english : null;

    private static FrozenDictionary<string, string> Build()
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Add(string english, params string[] words)
        {
            foreach (var word in words) map[word] = english;
        }

        // asking for new code
        Add("write", "escribe", "escribir", "escríbeme", "escribeme", "schreib", "schreibe", "schreiben", "escreva", "escreve", "escrever", "écris", "écrire", "écrivez", "ecris");
        Add("create", "crea", "crear", "créame", "creame", "erstelle", "erstellen", "cria", "crie", "criar", "crée", "créer", "créez", "cree");
        Add("generate", "genera", "generar", "generiere", "generieren", "erzeuge", "gera", "gere", "gerar", "génère", "générer");
        Add("implement", "implementa", "implementar", "implementiere", "implementieren", "implemente", "implémente", "implémenter");
        Add("add", "añade", "añadir", "agrega", "agregar", "hinzufügen", "adicione", "adiciona", "adicionar", "ajoute", "ajouter");
        Add("function", "función", "funcion", "funciones", "funktion", "funktionen", "função", "funcao", "funções", "fonction", "fonctions");
        Add("class", "clase", "klasse", "classe");
        Add("method", "método", "metodo", "methode", "méthode");
        Add("file", "archivo", "archivos", "datei", "dateien", "arquivo", "arquivos", "fichier", "fichiers");
        Add("code", "código", "codigo");
        Add("tests", "pruebas", "testes");

        // asking to understand or review
        Add("explain", "explica", "explicar", "explícame", "explicame", "erkläre", "erklären", "erklär", "erklare", "explique", "expliquer", "expliquez");
        Add("understand", "entiendo", "entender", "verstehe", "verstehen", "entendo", "comprends", "comprendre");
        Add("does", "hace", "macht", "faz", "fait");
        Add("review", "revisa", "revisar", "überprüfe", "prüfe", "relis", "relire");
        Add("snippet", "trecho", "fragmento", "ausschnitt", "extrait");
        Add("line", "línea", "zeile", "linha", "ligne");

        // something broken
        Add("error", "fehler", "erro", "erreur");
        Add("fails", "falla", "falló", "fallo", "fehl", "falha", "falhando", "échoue", "echoue");
        Add("fix", "arregla", "arreglar", "arreglo", "corrige", "corregir", "behebe", "beheben", "repariere", "reparieren", "corrigir", "conserta", "consertar", "corrija", "corriger", "répare", "réparer");
        Add("crashes", "trava", "travou", "stürzt", "abstürzt", "plante", "cuelga");
        Add("crash", "absturz");
        Add("leak", "fuite", "fuga", "speicherleck", "vazamento");
        Add("memory", "mémoire", "memoire", "memoria", "memória", "speicher");
        Add("slow", "lento", "lenta", "langsam", "lente");
        Add("compile", "compilar", "kompilieren", "kompiliert");
        Add("why", "warum", "pourquoi", "woran");

        // designing
        Add("architecture", "arquitectura", "arquitetura", "architektur");
        Add("design", "diseña", "diseñar", "diseño", "entwirf", "entwerfen", "entwurf", "aufbauen", "projeta", "projetar", "concevoir");
        Add("database", "datenbank");
        Add("data", "datos", "dados", "données");
        Add("structure", "estructura", "estrutura", "struktur");
        Add("modules", "módulos", "modulos", "modulen");
        Add("services", "servicios", "serviços", "servicos", "dienste");
        Add("microservices", "microservicios", "microsserviços", "microserviços", "microservicos");
        Add("split", "découper", "decouper", "dividir", "aufteilen");
        Add("recommend", "recomiendas", "recomienda", "recomendas", "recomenda", "empfiehlst", "empfehlen", "recommandes", "recommandez");
        Add("choose", "elegir", "escoger", "escolher", "wählen", "choisir");
        Add("should", "sollten", "debería", "deberíamos", "devemos", "deveria", "devrions", "devrait");

        // documenting
        Add("documentation", "documentación", "documentacion", "dokumentation", "documentação", "documentacao");
        Add("document", "documenta", "documentar", "dokumentiere", "dokumentieren", "documente", "documenter");
        Add("comments", "comentarios", "comentários", "kommentare", "commentaires");
        Add("comment", "comentario", "comentário", "kommentar", "commentaire");

        // question frames
        Add("how", "cómo", "wie", "como");
        Add("what", "qué", "quoi");
        Add("which", "cuál", "cual", "qual", "welche", "welcher", "quel", "quelle");
        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
